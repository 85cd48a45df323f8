package org.lorafoundry.jobs.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.jobs.config.JobsConfig;
import org.lorafoundry.jobs.messaging.TrainingOutbox;
import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.jobs.persistence.JobResultRepository;
import org.lorafoundry.jobs.persistence.ProgressRepository;
import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.CancelTraining;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationFailed;
import org.lorafoundry.proto.v1.JobErrorCode;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.TrainingErrorCode;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.Verdict;

/**
 * Moves jobs along as workers and the evaluator report (TrainingStarted ... TrainingSucceeded, EvaluationCompleted).
 * Fencing: every attempt has its own id (TrainingStarted); events of any other attempt are stale and ignored, as are
 * events that do not fit the job's state. Each event is applied once (its id is recorded with the effect).
 */
@ApplicationScoped
public class TrainingEventService {

    private static final ProcessedEvents TRAINING = new ProcessedEvents("jobs.training-events");
    private static final ProcessedEvents EVALUATION = new ProcessedEvents("jobs.evaluation-events");

    private final Transactions transactions;
    private final JobRepository jobs;
    private final ProgressRepository progress;
    private final JobTransitions transitions;
    private final TrainingOutbox training;
    private final JobsConfig config;
    private final JobResultRepository results;

    TrainingEventService(Transactions transactions, JobRepository jobs, ProgressRepository progress,
            JobTransitions transitions, TrainingOutbox training, JobsConfig config, JobResultRepository results) {
        this.results = results;
        this.transactions = transactions;
        this.jobs = jobs;
        this.progress = progress;
        this.transitions = transitions;
        this.training = training;
        this.config = config;
    }

    public void onTraining(TrainingEvent event, EventMetadata metadata) throws SQLException {
        String jobId = switch (event.getEventCase()) {
            case TRAINING_STARTED -> event.getTrainingStarted().getJobId();
            case TRAINING_PROGRESS -> event.getTrainingProgress().getJobId();
            case CHECKPOINT_SAVED -> event.getCheckpointSaved().getJobId();
            case TRAINING_SUCCEEDED -> event.getTrainingSucceeded().getJobId();
            case TRAINING_FAILED -> event.getTrainingFailed().getJobId();
            case TRAINING_CANCELLED -> event.getTrainingCancelled().getJobId();
            default -> null;
        };
        if (jobId == null || event.getEventCase() == TrainingEvent.EventCase.CHECKPOINT_SAVED) {
            return; // checkpoints are the workers' business
        }
        transactions.inTransaction(tx -> {
            if (!TRAINING.claim(tx, metadata.eventId())) {
                return null;
            }
            Optional<JobRecord> found = jobs.findForUpdate(tx, jobId);
            if (found.isPresent()) {
                apply(tx, metadata, found.get(), event);
            }
            return null;
        });
    }

    private void apply(Connection tx, EventMetadata metadata, JobRecord job, TrainingEvent event) throws SQLException {
        String type = metadata.eventType();
        switch (event.getEventCase()) {
            case TRAINING_STARTED -> started(tx, metadata, job, event);
            case TRAINING_PROGRESS -> {
                if (current(job, event.getTrainingProgress().getAttemptId(), type)
                        && job.state() == JobState.JOB_STATE_RUNNING) {
                    progress.record(tx, event.getTrainingProgress());
                }
            }
            case TRAINING_SUCCEEDED -> {
                if (current(job, event.getTrainingSucceeded().getAttemptId(), type)) {
                    transitions.move(tx, metadata, job, JobState.JOB_STATE_EVALUATING, type, worker(job));
                }
            }
            case TRAINING_FAILED -> {
                if (current(job, event.getTrainingFailed().getAttemptId(), type)) {
                    transitions.fail(tx, metadata, job, errorCode(event.getTrainingFailed().getCode()),
                            event.getTrainingFailed().getMessage(), type, worker(job));
                }
            }
            case TRAINING_CANCELLED -> {
                if (current(job, event.getTrainingCancelled().getAttemptId(), type)) {
                    transitions.move(tx, metadata, job, JobState.JOB_STATE_CANCELLED, type, worker(job));
                }
            }
            default -> transitions.ignored(job, type, "not a training event jobs acts on");
        }
    }

    /** A new attempt supersedes the previous one (a redelivery after a worker died); the attempt count is ours. */
    private void started(Connection tx, EventMetadata metadata, JobRecord job, TrainingEvent event) throws SQLException {
        var started = event.getTrainingStarted();
        if (started.getAttemptId().equals(job.attemptId())) {
            transitions.ignored(job, metadata.eventType(), "attempt already started");
            return;
        }
        if (!(job.state() == JobState.JOB_STATE_DISPATCHED || job.state() == JobState.JOB_STATE_RUNNING
                || job.state() == JobState.JOB_STATE_CANCEL_REQUESTED)) {
            transitions.ignored(job, metadata.eventType(), "job is " + job.state());
            return;
        }
        int attempt = job.attempt() + 1;
        jobs.startAttempt(tx, job.jobId(), attempt);
        jobs.attemptStarted(tx, job.jobId(), started.getAttemptId(), started.getWorkerId());
        JobRecord current = job.withAttempt(attempt, started.getAttemptId(), started.getWorkerId());
        String actor = "worker:" + started.getWorkerId();
        if (job.state() == JobState.JOB_STATE_CANCEL_REQUESTED || attempt > config.maxAttempts()) {
            if (attempt > config.maxAttempts() && job.state() != JobState.JOB_STATE_CANCEL_REQUESTED) {
                transitions.fail(tx, metadata, current, JobErrorCode.JOB_ERROR_CODE_ATTEMPTS_EXHAUSTED,
                        "Training was started " + attempt + " times (limit " + config.maxAttempts() + "): every worker "
                                + "that took it stopped without finishing; check the workers' logs for this job",
                        metadata.eventType(), actor);
            }
            // The attempt must not run: tell its worker to stop.
            training.cancel(tx, metadata, CancelTraining.newBuilder().setJobId(job.jobId())
                    .setAttemptId(started.getAttemptId()).setActor("service:jobs")
                    .setReason(job.state() == JobState.JOB_STATE_CANCEL_REQUESTED ? "cancelled" : "attempts exhausted")
                    .build());
            return;
        }
        if (job.state() == JobState.JOB_STATE_DISPATCHED) {
            transitions.move(tx, metadata, current, JobState.JOB_STATE_RUNNING, metadata.eventType(), actor);
        }
    }

    public void onEvaluationCompleted(EvaluationCompleted completed, EventMetadata metadata) throws SQLException {
        onEvaluation(completed.getJobId(), metadata, (tx, job) -> {
            results.evaluated(tx, completed);
            JobState to = completed.getVerdict() == Verdict.VERDICT_PASSED ? JobState.JOB_STATE_SUCCEEDED
                    : JobState.JOB_STATE_REJECTED;
            transitions.move(tx, metadata, job, to, metadata.eventType(), "service:evaluator");
        });
    }

    public void onEvaluationFailed(EvaluationFailed failed, EventMetadata metadata) throws SQLException {
        onEvaluation(failed.getJobId(), metadata, (tx, job) -> {
            if (job.state() != JobState.JOB_STATE_EVALUATING) {
                transitions.ignored(job, metadata.eventType(), "job is not being evaluated");
                return;
            }
            transitions.fail(tx, metadata, job, JobErrorCode.JOB_ERROR_CODE_EVALUATION_FAILED,
                    failed.getCode() + ": " + failed.getMessage(), metadata.eventType(), "service:evaluator");
        });
    }

    private void onEvaluation(String jobId, EventMetadata metadata, Effect effect) throws SQLException {
        transactions.inTransaction(tx -> {
            if (EVALUATION.claim(tx, metadata.eventId())) {
                Optional<JobRecord> job = jobs.findForUpdate(tx, jobId);
                if (job.isPresent()) {
                    effect.apply(tx, job.get());
                }
            }
            return null;
        });
    }

    @FunctionalInterface
    private interface Effect {
        void apply(Connection tx, JobRecord job) throws SQLException;
    }

    private boolean current(JobRecord job, String attemptId, String type) {
        if (attemptId.equals(job.attemptId())) {
            return true;
        }
        transitions.ignored(job, type, "attempt " + attemptId + " is not the current one (" + job.attemptId() + ")");
        return false;
    }

    private static String worker(JobRecord job) {
        return "worker:" + job.workerId();
    }

    static JobErrorCode errorCode(TrainingErrorCode code) {
        return switch (code) {
            case TRAINING_ERROR_CODE_OUT_OF_MEMORY -> JobErrorCode.JOB_ERROR_CODE_TRAINING_OUT_OF_MEMORY;
            case TRAINING_ERROR_CODE_BAD_DATA -> JobErrorCode.JOB_ERROR_CODE_TRAINING_BAD_DATA;
            case TRAINING_ERROR_CODE_DIVERGED -> JobErrorCode.JOB_ERROR_CODE_TRAINING_DIVERGED;
            case TRAINING_ERROR_CODE_BASE_MODEL_UNREADABLE -> JobErrorCode.JOB_ERROR_CODE_BASE_MODEL_UNREADABLE;
            case TRAINING_ERROR_CODE_DATASET_CHECKSUM_MISMATCH -> JobErrorCode.JOB_ERROR_CODE_DATASET_CHECKSUM_MISMATCH;
            case TRAINING_ERROR_CODE_DELIVERY_LIMIT_EXCEEDED -> JobErrorCode.JOB_ERROR_CODE_DELIVERY_LIMIT_EXCEEDED;
            case TRAINING_ERROR_CODE_BASE_MODEL_CHECKSUM_MISMATCH -> JobErrorCode.JOB_ERROR_CODE_BASE_MODEL_CHECKSUM_MISMATCH;
            case TRAINING_ERROR_CODE_UNSUPPORTED_CONFIG -> JobErrorCode.JOB_ERROR_CODE_UNSUPPORTED_CONFIG;
            default -> JobErrorCode.JOB_ERROR_CODE_TRAINING_INTERNAL;
        };
    }
}
