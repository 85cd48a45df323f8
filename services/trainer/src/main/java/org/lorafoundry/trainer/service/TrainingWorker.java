package org.lorafoundry.trainer.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;
import org.lorafoundry.engine.finetune.FineTuneProgress;
import org.lorafoundry.engine.finetune.FineTuneResult;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.CheckpointSaved;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.TrainingCancelled;
import org.lorafoundry.proto.v1.TrainingErrorCode;
import org.lorafoundry.proto.v1.TrainingFailed;
import org.lorafoundry.proto.v1.TrainingStarted;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.TrainingTaskMessage;
import org.lorafoundry.trainer.config.TrainerConfig;
import org.lorafoundry.trainer.messaging.HeartbeatPublisher;
import org.lorafoundry.trainer.messaging.TaskDelivery;
import org.lorafoundry.trainer.messaging.TaskHandler;
import org.lorafoundry.trainer.messaging.TrainingEventOutbox;
import org.lorafoundry.trainer.persistence.CheckpointRepository;
import org.lorafoundry.trainer.persistence.CheckpointRepository.Checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Runs one delivery of a training task: announce the attempt, fetch and verify the inputs, resume from the job's latest
 * checkpoint if there is one, train with the engine while publishing progress and checkpoints, then deliver the adapter
 * (or a typed failure). Every event goes through the outbox; the terminal one is committed before the task is
 * acknowledged, so a crash at any point either repeats the attempt elsewhere or has already told the platform.
 */
@ApplicationScoped
public class TrainingWorker implements TaskHandler {

    private static final Logger LOG = Logger.getLogger(TrainingWorker.class);

    private final TrainerConfig config;
    private final WorkerIdentity identity;
    private final TrainingDevice device;
    private final RunningAttempts running;
    private final InputFetcher inputs;
    private final EngineTrainer engine;
    private final Transactions transactions;
    private final TrainingEventOutbox events;
    private final CheckpointRepository checkpoints;
    private final BlobDirectories directories;
    private final HeartbeatPublisher heartbeats;
    private final DeadLetters deadLetters;

    TrainingWorker(TrainerConfig config, WorkerIdentity identity, TrainingDevice device, RunningAttempts running,
            InputFetcher inputs, EngineTrainer engine, Transactions transactions, TrainingEventOutbox events,
            CheckpointRepository checkpoints, BlobStore blobs, HeartbeatPublisher heartbeats,
            Producer<String, byte[]> producer) {
        this.config = config;
        this.identity = identity;
        this.device = device;
        this.running = running;
        this.inputs = inputs;
        this.engine = engine;
        this.transactions = transactions;
        this.events = events;
        this.checkpoints = checkpoints;
        this.directories = new BlobDirectories(blobs);
        this.heartbeats = heartbeats;
        this.deadLetters = new DeadLetters(producer, "foundry-trainer");
    }

    @Override
    public AttemptOutcome handle(TaskDelivery delivery, StopSignal stop) {
        TrainingTask task;
        try {
            TrainingTaskMessage message = TrainingTaskMessage.parseFrom(delivery.value());
            if (!message.hasTrainingTask() || message.getTrainingTask().getJobId().isBlank()) {
                throw new InvalidProtocolBufferException("no TrainingTask with a job id in the envelope");
            }
            task = message.getTrainingTask();
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            deadLetter(delivery, e);
            return AttemptOutcome.REJECTED;
        }
        Attempt attempt = new Attempt(task, UUID.randomUUID().toString(), delivery, stop);
        RunningAttempt announced = new RunningAttempt(task.getJobId(), attempt.attemptId, task.getTeam(), stop,
                attempt.step);
        running.started(announced);
        heartbeats.publish(false);
        try {
            return run(attempt);
        } catch (SQLException e) {
            // The database is unreachable: nothing can be made durable. Let the lock lapse; the task is redelivered.
            LOG.errorf(e, "job %s: database unavailable; leaving the task to be redelivered", task.getJobId());
            return AttemptOutcome.LOCK_LOST;
        } finally {
            running.ended(announced);
            heartbeats.publish(false);
            deleteQuietly(attempt.workDir);
        }
    }

    private AttemptOutcome run(Attempt attempt) throws SQLException {
        TrainingTask task = attempt.task;
        Optional<Checkpoint> resume = transactions.inTransaction(tx -> checkpoints.latest(tx, task.getJobId()));
        transactions.inTransaction(tx -> {
            events.started(tx, attempt.cause, started(attempt, resume));
            return null;
        });
        LOG.infof("job %s (team %s): attempt %s started on %s, delivery %d%s", task.getJobId(), task.getTeam(),
                attempt.attemptId, device.description(), attempt.delivery.deliveryCount(),
                resume.map(c -> ", resuming after step " + c.step()).orElse(""));
        if (attempt.delivery.deliveryCount() > config.maxDeliveries()) {
            return fail(attempt, new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_DELIVERY_LIMIT_EXCEEDED,
                    "the task was delivered " + attempt.delivery.deliveryCount() + " times (limit "
                            + config.maxDeliveries() + "): every earlier worker stopped without finishing it, which "
                            + "usually means the process was killed (out of host memory?); check the workers' logs "
                            + "for job " + task.getJobId()));
        }
        try {
            Files.createDirectories(attempt.workDir);
            TaskInputs local = inputs.fetch(task, attempt.workDir);
            Optional<Path> resumeDir = Optional.empty();
            if (resume.isPresent()) {
                resumeDir = Optional.of(attempt.workDir.resolve("resume"));
                directories.download(resume.get().directory(), resumeDir.get());
            }
            Publisher publisher = new Publisher(attempt, resume.map(Checkpoint::step).orElse(0L));
            FineTuneResult result = engine.train(task, local, resumeDir, attempt.workDir, device.device(),
                    publisher::started, publisher::progress, publisher::checkpoint, attempt.stop::requested);
            if (result.cancelled()) {
                return stopped(attempt);
            }
            return succeeded(attempt, result);
        } catch (TrainingFailure failure) {
            if (attempt.stop.requested()) {
                return stopped(attempt); // e.g. an I/O error caused by shutdown: the stop reason decides
            }
            return fail(attempt, failure);
        } catch (IOException e) {
            return fail(attempt, new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_STORAGE_ERROR,
                    "the checkpoint to resume from could not be fetched: " + e, e));
        } catch (RuntimeException | OutOfMemoryError e) {
            return fail(attempt, EngineTrainer.classify(e));
        }
    }

    private TrainingStarted started(Attempt attempt, Optional<Checkpoint> resume) {
        TrainingStarted.Builder started = TrainingStarted.newBuilder().setJobId(attempt.task.getJobId())
                .setTeam(attempt.task.getTeam()).setAttemptId(attempt.attemptId)
                .setAttempt(attempt.delivery.deliveryCount()).setWorkerId(identity.workerId())
                .setDevice(device.description()).setEngineVersion(device.engineVersion());
        resume.ifPresent(c -> started.setResumedFromStep(c.step()).setResumedFromCheckpoint(c.directory()));
        return started.build();
    }

    private AttemptOutcome succeeded(Attempt attempt, FineTuneResult result) throws SQLException, IOException {
        TrainingTask task = attempt.task;
        DirectoryRef adapter = directories.upload(result.adapterDirectory().orElseThrow(),
                "training/" + task.getJobId() + "/" + attempt.attemptId + "/adapter");
        var succeeded = TrainingOutcomes.succeeded(task, attempt.attemptId, identity.workerId(), device, adapter,
                result, attempt.delivery.deliveryCount());
        transactions.inTransaction(tx -> {
            events.succeeded(tx, attempt.cause, succeeded);
            return null;
        });
        LOG.infof("job %s: trained %d steps in %s, adapter %s (%d files)", task.getJobId(), result.steps(),
                result.duration(), adapter.getUri(), adapter.getFilesCount());
        return AttemptOutcome.FINISHED;
    }

    /** The loop stopped between steps; the stop reason says what that means for the task. */
    private AttemptOutcome stopped(Attempt attempt) throws SQLException {
        StopSignal.Reason reason = attempt.stop.reason().orElseThrow();
        switch (reason.kind()) {
            case CANCELLED -> {
                transactions.inTransaction(tx -> {
                    events.cancelled(tx, attempt.cause, TrainingCancelled.newBuilder()
                            .setJobId(attempt.task.getJobId()).setTeam(attempt.task.getTeam())
                            .setAttemptId(attempt.attemptId).setStep(attempt.step.get()).setReason(reason.detail())
                            .setWorkerId(identity.workerId()).build());
                    return null;
                });
                LOG.infof("job %s: cancelled at step %d (%s)", attempt.task.getJobId(), attempt.step.get(),
                        reason.detail());
                return AttemptOutcome.FINISHED;
            }
            case SHUTDOWN -> {
                LOG.infof("job %s: released at step %d (%s); another worker resumes from the latest checkpoint",
                        attempt.task.getJobId(), attempt.step.get(), reason.detail());
                return AttemptOutcome.RELEASED;
            }
            default -> {
                return AttemptOutcome.LOCK_LOST;
            }
        }
    }

    private AttemptOutcome fail(Attempt attempt, TrainingFailure failure) throws SQLException {
        LOG.warnf(failure.getCause(), "job %s failed at step %d: %s: %s", attempt.task.getJobId(), attempt.step.get(),
                failure.code(), failure.getMessage());
        transactions.inTransaction(tx -> {
            events.failed(tx, attempt.cause, TrainingFailed.newBuilder().setJobId(attempt.task.getJobId())
                    .setTeam(attempt.task.getTeam()).setAttemptId(attempt.attemptId).setCode(failure.code())
                    .setMessage(failure.getMessage()).setStep(attempt.step.get()).setWorkerId(identity.workerId())
                    .build());
            return null;
        });
        return AttemptOutcome.FINISHED;
    }

    /** Turns the engine's callbacks into rate-limited progress events and stored checkpoints. */
    private final class Publisher {

        private final Attempt attempt;
        private long totalSteps;
        private long lastSentNanos;

        Publisher(Attempt attempt, long resumedFromStep) {
            this.attempt = attempt;
            attempt.step.set(resumedFromStep);
        }

        void started(int totalSteps) {
            this.totalSteps = totalSteps;
        }

        void progress(FineTuneProgress progress) {
            attempt.step.set(progress.step());
            long now = System.nanoTime();
            boolean due = lastSentNanos == 0 || now - lastSentNanos >= config.progressInterval().toNanos()
                    || progress.step() >= totalSteps || progress.validationLoss().isPresent();
            if (!due) {
                return;
            }
            lastSentNanos = now;
            try {
                transactions.inTransaction(tx -> {
                    events.progress(tx, attempt.cause, TrainingOutcomes.progress(attempt.task, attempt.attemptId,
                            progress));
                    return null;
                });
            } catch (SQLException e) {
                LOG.warnf("job %s: progress of step %d not recorded: %s", attempt.task.getJobId(), progress.step(),
                        e.toString());
            }
        }

        /** Uploads a complete checkpoint, then records it (row + CheckpointSaved) in one transaction. */
        void checkpoint(int step, Path directory) throws IOException {
            String jobId = attempt.task.getJobId();
            DirectoryRef stored = directories.upload(directory, "checkpoints/" + jobId + "/step-" + step);
            try {
                transactions.inTransaction(tx -> {
                    checkpoints.save(tx, new Checkpoint(jobId, step, attempt.attemptId, stored), identity.workerId());
                    events.checkpointSaved(tx, attempt.cause, CheckpointSaved.newBuilder().setJobId(jobId)
                            .setTeam(attempt.task.getTeam()).setAttemptId(attempt.attemptId).setStep(step)
                            .setCheckpoint(stored).build());
                    return null;
                });
            } catch (SQLException e) {
                throw new IOException("recording the checkpoint of step " + step + " failed: " + e.getMessage(), e);
            }
            LOG.infof("job %s: checkpoint at step %d saved (%d bytes)", jobId, step, stored.getTotalSizeBytes());
        }
    }

    private void deadLetter(TaskDelivery delivery, Exception problem) {
        LOG.errorf("undecodable training task %s at %s sent to %s: %s", delivery.key(), delivery.coordinates(),
                Topics.DEAD_LETTERS, problem.getMessage());
        try {
            deadLetters.publish(delivery.record(), "undecodable TrainingTask", problem);
        } catch (IllegalStateException e) {
            LOG.errorf(e, "the dead letter for %s could not be sent", delivery.coordinates());
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            BlobDirectories.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.debugf("work directory %s not removed: %s", dir, e.toString());
        }
    }

    /** Everything one delivery's run carries around. */
    private final class Attempt {
        final TrainingTask task;
        final String attemptId;
        final TaskDelivery delivery;
        final StopSignal stop;
        final EventMetadata cause;
        final AtomicLong step = new AtomicLong();
        final Path workDir;
        final Instant startedAt = Instant.now();

        Attempt(TrainingTask task, String attemptId, TaskDelivery delivery, StopSignal stop) {
            this.task = task;
            this.attemptId = attemptId;
            this.delivery = delivery;
            this.stop = stop;
            this.cause = delivery.metadata();
            this.workDir = config.workDir().resolve("attempts").resolve(attemptId);
        }
    }
}
