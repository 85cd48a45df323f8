package org.lorafoundry.trainer.workers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.TrainingErrorCode;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.testkit.ServiceProcess;

/**
 * Training workers as a deployment runs them: two trainer processes (the packaged jar) share the task queue (the
 * {@code foundry-trainers} share group) on a real broker, with a real PostgreSQL and blob store, training a real (tiny)
 * Llama with the engine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainingWorkersIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    private static TrainerTestbed testbed;
    private static ServiceProcess workerA;
    private static ServiceProcess workerB;

    @BeforeAll
    static void startTwoWorkers() throws Exception {
        testbed = new TrainerTestbed();
        workerA = testbed.startWorker("worker-a", Map.of());
        workerB = testbed.startWorker("worker-b", Map.of());
        testbed.awaitAssignedWorkers(2, TIMEOUT);
    }

    @AfterAll
    static void stopWorkers() throws Exception {
        if (testbed != null) {
            testbed.stopAll();
        }
    }

    @Test
    @Order(1)
    void twoWorkersShareTheQueueWithoutDoubleWork() {
        List<String> jobs = List.of(job("share"), job("share"), job("share"), job("share"));
        // Long enough (a few seconds each) that while one worker trains a task the other takes the next.
        jobs.forEach(job -> testbed.publish(testbed.task(job, TrainerTestbed.hyperparameters(40).build())));

        Set<String> workersUsed = new java.util.HashSet<>();
        for (String job : jobs) {
            List<TrainingEvent> events = testbed.await(job, TrainingEvent::hasTrainingSucceeded, 1, TIMEOUT);
            TrainingSucceeded succeeded = events.stream().filter(TrainingEvent::hasTrainingSucceeded)
                    .map(TrainingEvent::getTrainingSucceeded).findFirst()
                    .orElseThrow(() -> new AssertionError(job + " did not finish: " + events));
            assertThat(succeeded.getSteps()).isEqualTo(40);
            assertThat(succeeded.getAdapter().getFilesList()).extracting(f -> f.getRelativePath())
                    .contains("adapter_config.json", "adapter_model.safetensors", "README.md");
            assertThat(succeeded.getLossCurveCount()).isPositive();
            assertThat(succeeded.getTask().getJobId()).isEqualTo(job);
            workersUsed.add(succeeded.getWorkerId());
        }
        for (String job : jobs) {
            List<TrainingEvent> events = testbed.events(job, Duration.ofSeconds(2));
            assertThat(events.stream().filter(TrainingEvent::hasTrainingStarted).count())
                    .as("each task is trained once (no double work): " + job).isEqualTo(1);
            assertThat(events.stream().filter(TrainingEvent::hasTrainingSucceeded).count()).isEqualTo(1);
            assertThat(events.stream().filter(TrainingEvent::hasTrainingProgress)).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.getTrainingProgress().getTotalSteps()).isEqualTo(40));
        }
        assertThat(workersUsed).as("both workers took tasks").containsExactlyInAnyOrder("worker-a", "worker-b");
    }

    @Test
    @Order(2)
    void cancellationStopsTheRunAtTheNextStep() {
        String job = job("cancel");
        testbed.publish(testbed.task(job, TrainerTestbed.hyperparameters(100_000).build()));
        testbed.await(job, TrainingEvent::hasTrainingProgress, 1, TIMEOUT);

        testbed.cancel(job);

        List<TrainingEvent> events = testbed.await(job, TrainingEvent::hasTrainingCancelled, 1, TIMEOUT);
        var cancelled = events.stream().filter(TrainingEvent::hasTrainingCancelled).findFirst().orElseThrow()
                .getTrainingCancelled();
        assertThat(cancelled.getReason()).contains("test cancel").contains("user:alice");
        assertThat(cancelled.getStep()).isPositive().isLessThan(100_000);
        assertThat(events).noneMatch(TrainingEvent::hasTrainingSucceeded);
    }

    @Test
    @Order(3)
    void aCorruptedDatasetBlobFailsTheJobCleanly() throws Exception {
        BlobRef good = testbed.putText("datasets/demo/corrupt/1/train.jsonl", TrainerTestbed.datesJsonl(16));
        // Same size, other bytes: only the checksum can tell.
        Files.writeString(Path.of(good.uri()), TrainerTestbed.datesJsonl(16).replaceFirst("Date", "Data"));
        String job = job("corrupt");
        testbed.publish(testbed.task(job, TrainerTestbed.hyperparameters(5).build(), good));

        List<TrainingEvent> events = testbed.await(job, TrainingEvent::hasTrainingFailed, 1, TIMEOUT);
        var failed = events.stream().filter(TrainingEvent::hasTrainingFailed).findFirst().orElseThrow()
                .getTrainingFailed();
        assertThat(failed.getCode()).isEqualTo(TrainingErrorCode.TRAINING_ERROR_CODE_DATASET_CHECKSUM_MISMATCH);
        assertThat(failed.getMessage()).contains("checksum").contains("ingest the dataset again");
        // Acknowledged: not redelivered (a second attempt would announce itself)
        assertThat(testbed.events(job, Duration.ofSeconds(4)).stream().filter(TrainingEvent::hasTrainingStarted))
                .hasSize(1);
    }

    @Test
    @Order(4)
    void aLearningRateThatProducesNaNFailsWithTheDivergedCode() {
        String job = job("nan");
        testbed.publish(testbed.task(job, TrainerTestbed.hyperparameters(50).setLearningRate(1e30).setMaxGradNorm(0)
                .build()));

        List<TrainingEvent> events = testbed.await(job, TrainingEvent::hasTrainingFailed, 1, TIMEOUT);
        var failed = events.stream().filter(TrainingEvent::hasTrainingFailed).findFirst().orElseThrow()
                .getTrainingFailed();
        assertThat(failed.getCode()).isEqualTo(TrainingErrorCode.TRAINING_ERROR_CODE_DIVERGED);
        assertThat(failed.getMessage()).containsIgnoringCase("learning rate");
    }

    @Test
    @Order(5)
    void aKilledWorkersTaskResumesOnTheOtherFromItsCheckpointAndEndsAsAnUninterruptedRun() throws Exception {
        var hyper = TrainerTestbed.hyperparameters(600).setCheckpointEverySteps(50).build();
        String reference = job("reference");
        testbed.publish(testbed.task(reference, hyper));
        TrainingSucceeded uninterrupted = succeeded(reference);

        String job = job("killed");
        testbed.publish(testbed.task(job, hyper));
        List<TrainingEvent> before = testbed.await(job, TrainingEvent::hasCheckpointSaved, 1, TIMEOUT);
        String victim = before.stream().filter(TrainingEvent::hasTrainingStarted).findFirst().orElseThrow()
                .getTrainingStarted().getWorkerId();
        ServiceProcess killed = victim.equals("worker-a") ? workerA : workerB;
        killed.kill();

        TrainingSucceeded resumed = succeeded(job);
        List<TrainingEvent> events = testbed.events(job, Duration.ofSeconds(2));
        List<TrainingEvent> starts = events.stream().filter(TrainingEvent::hasTrainingStarted).toList();
        assertThat(starts).hasSize(2);
        var second = starts.get(1).getTrainingStarted();
        assertThat(second.getWorkerId()).isNotEqualTo(victim);
        assertThat(second.getResumedFromStep()).isPositive().isLessThan(600);
        assertThat(resumed.getAttempt()).isEqualTo(2);
        assertThat(resumed.getSteps()).isEqualTo(600);

        // The adapter equals the one of the same task trained without interruption (same seed).
        Path a = testbed.state.resolve("compare/" + reference);
        Path b = testbed.state.resolve("compare/" + job);
        BlobDirectories directories = new BlobDirectories(testbed.blobs);
        directories.download(uninterrupted.getAdapter(), a);
        directories.download(resumed.getAdapter(), b);
        assertThat(Files.readAllBytes(b.resolve("adapter_model.safetensors")))
                .as("resumed adapter equals the uninterrupted one")
                .isEqualTo(Files.readAllBytes(a.resolve("adapter_model.safetensors")));
        assertThat(resumed.getFinalMetricsMap().get("train_loss"))
                .isEqualTo(uninterrupted.getFinalMetricsMap().get("train_loss"));
        System.out.printf("[resume] %s killed after checkpoint; %s resumed from step %d; final adapters identical "
                + "(%d bytes), train_loss %.6f%n", victim, second.getWorkerId(), second.getResumedFromStep(),
                Files.size(b.resolve("adapter_model.safetensors")), resumed.getFinalMetricsMap().get("train_loss"));

        // Restart the killed worker for any later test.
        if (killed == workerA) {
            workerA = testbed.startWorker("worker-a2", Map.of());
        } else {
            workerB = testbed.startWorker("worker-b2", Map.of());
        }
        testbed.awaitAssignedWorkers(2, TIMEOUT);
    }

    @Test
    @Order(6)
    void anIdleWorkerTakesTheNextTaskWhileTheOtherTrainsALongOne() throws Exception {
        String longJob = job("long");
        testbed.publish(testbed.task(longJob, TrainerTestbed.hyperparameters(100_000).build()));
        String busy = testbed.await(longJob, TrainingEvent::hasTrainingProgress, 1, TIMEOUT).stream()
                .filter(TrainingEvent::hasTrainingStarted).findFirst().orElseThrow().getTrainingStarted().getWorkerId();
        // The next task lands on the long task's partition: with a partition owned by one member, the busy worker
        // would hold it back until the long task ends, while the other worker idles (what a 6-partition topic did).
        String next = jobOnTheSamePartitionAs(longJob, "next");
        testbed.publish(testbed.task(next, TrainerTestbed.hyperparameters(12).build()));

        TrainingSucceeded done = succeeded(next);

        assertThat(done.getWorkerId()).as("the idle worker took it").isNotEqualTo(busy);
        assertThat(testbed.events(longJob, Duration.ofSeconds(1))).as("the long task is still training")
                .noneMatch(e -> e.hasTrainingSucceeded() || e.hasTrainingFailed());
        testbed.cancel(longJob);
        testbed.await(longJob, TrainingEvent::hasTrainingCancelled, 1, TIMEOUT);
    }

    /** A job id that the default partitioner puts on the same partition of the tasks topic as {@code jobId}. */
    private static String jobOnTheSamePartitionAs(String jobId, String prefix) throws Exception {
        int partitions;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                testbed.infrastructure.kafkaBootstrapServers()))) {
            partitions = admin.describeTopics(List.of(Topics.TRAINING_TASKS)).allTopicNames().get()
                    .get(Topics.TRAINING_TASKS).partitions().size();
        }
        int target = partition(jobId, partitions);
        for (int i = 0; i < 10_000; i++) {
            String candidate = job(prefix);
            if (partition(candidate, partitions) == target) {
                return candidate;
            }
        }
        throw new AssertionError("no job id found on partition " + target);
    }

    private static int partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static TrainingSucceeded succeeded(String job) {
        List<TrainingEvent> events = testbed.await(job, e -> e.hasTrainingSucceeded() || e.hasTrainingFailed(), 1,
                TIMEOUT);
        if (events.isEmpty()) {
            throw new AssertionError(job + ": no worker took the task within " + TIMEOUT);
        }
        TrainingEvent last = events.get(events.size() - 1);
        if (!last.hasTrainingSucceeded()) {
            throw new AssertionError(job + " did not succeed: " + events.stream().map(TrainingEvent::getEventCase)
                    .map(Enum::name).collect(Collectors.joining(", ")) + (last.hasTrainingFailed()
                    ? " — " + last.getTrainingFailed().getMessage() : ""));
        }
        return last.getTrainingSucceeded();
    }

    private static String job(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

}
