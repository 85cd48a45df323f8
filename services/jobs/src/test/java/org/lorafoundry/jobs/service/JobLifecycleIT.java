package org.lorafoundry.jobs.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import com.google.protobuf.util.JsonFormat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.jobs.JobsTestSupport;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.PriorityClass;
import org.lorafoundry.proto.v1.TrainingCancelled;
import org.lorafoundry.proto.v1.TrainingControl;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.TrainingProgress;
import org.lorafoundry.proto.v1.TrainingStarted;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.TrainingTaskMessage;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.KafkaTestClient;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * A job's whole life through the control plane, with real Kafka and PostgreSQL: admission when a worker announces
 * capacity, the self-contained TrainingTask, the worker's events (with stale ones ignored), the evaluation verdict,
 * cancellation of a running job, and the live event stream.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class JobLifecycleIT {

    @Inject
    JobsTestSupport support;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @TestHTTPResource("/jobs")
    URI jobsUri;

    /** Other tests' jobs may hold slots forever; the team's maxRunning of 1 is what limits here. */
    private static final int WORKER_SLOTS = 50;

    private KafkaTestClient kafka;
    private String token;
    private String team;

    @BeforeEach
    void setUp() throws Exception {
        kafka = new KafkaTestClient(bootstrapServers);
        team = "life-" + UUID.randomUUID().toString().substring(0, 8);
        support.team(team, 1, 20, 1.0, PriorityClass.PRIORITY_CLASS_LOW, PriorityClass.PRIORITY_CLASS_HIGH,
                PriorityClass.PRIORITY_CLASS_NORMAL);
        support.facts(team, "life-model", "dates");
        token = support.token("erin", List.of(team), Role.MEMBER);
    }

    @Test
    void aJobRunsFromAdmissionToSuccessAndIgnoresStaleEvents() throws Exception {
        JobSpec.Builder spec = JobsTestSupport.spec("life-" + UUID.randomUUID(), "life-model", "dates");
        spec.getEvaluationBuilder().getEvalDatasetBuilder().setName("dates");
        String jobId = submit(spec);
        CompletableFuture<List<String>> stream = watch(jobId, 6);
        assertThat(state(jobId)).isEqualTo("QUEUED");

        support.fixtures().heartbeat("worker-" + jobId, WORKER_SLOTS);
        TrainingTask task = awaitTask(jobId);
        assertThat(task.getTeam()).isEqualTo(team);
        assertThat(task.getBaseModel().getName()).isEqualTo("life-model");
        assertThat(task.getBaseModel().getSha256()).hasSize(64);
        assertThat(task.getDataset().getTrain().getBlob().getUri()).endsWith("/train.jsonl");
        assertThat(task.getDataset().getValidation().getRowCount()).isEqualTo(200);
        assertThat(task.getSpec().getGatePolicy().getThresholdsCount()).isEqualTo(1);
        assertThat(task.getEvaluationDataset().getDatasetId()).isEqualTo(team + "/dates@v1");
        awaitState(jobId, "DISPATCHED");

        training(jobId, TrainingEvent.newBuilder().setTrainingStarted(TrainingStarted.newBuilder().setJobId(jobId)
                .setAttemptId("attempt-1").setWorkerId("worker-" + jobId).setTotalSteps(600)));
        awaitState(jobId, "RUNNING");
        training(jobId, TrainingEvent.newBuilder().setTrainingProgress(progress(jobId, "attempt-1", 120, 2.5)));
        // A progress report of an attempt that is not the current one is stale.
        training(jobId, TrainingEvent.newBuilder().setTrainingProgress(progress(jobId, "attempt-0", 590, 0.1)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().auth().oauth2(token).when().get("/jobs/" + jobId + "/progress").then().statusCode(200)
                        .body("step", equalTo("120")).body("loss", equalTo(2.5f)));

        training(jobId, TrainingEvent.newBuilder().setTrainingSucceeded(TrainingSucceeded.newBuilder().setJobId(jobId)
                .setAttemptId("attempt-1")));
        awaitState(jobId, "EVALUATING");
        evaluation(jobId, Verdict.VERDICT_PASSED);
        awaitState(jobId, "SUCCEEDED");
        // The verdict, and then the adapter version the registry made of it, show with the job.
        kafka.send(Topics.REGISTRY_EVENTS, team + "/dates", RegistryEvent.newBuilder().setAdapterVersionRegistered(
                AdapterVersionRegistered.newBuilder().setTeam(team).setAdapterName("dates").setVersion(3)
                        .setJobId(jobId).setVerdict(Verdict.VERDICT_PASSED)).build().toByteArray(),
                Map.of("foundry-event-id", UUID.randomUUID().toString()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().auth().oauth2(token).when().get("/jobs/" + jobId).then().statusCode(200)
                        .body("result.verdict", equalTo("PASSED"))
                        .body("result.summary", equalTo("exact_match 0.95 >= 0.9"))
                        .body("result.candidateMetrics.exact_match", equalTo(0.95f))
                        .body("result.baselineMetrics.exact_match", equalTo(0.0f))
                        .body("result.adapter", equalTo(team + "/dates"))
                        .body("result.adapterVersion", equalTo(3)));
        // After the end, nothing moves the job any more.
        training(jobId, TrainingEvent.newBuilder().setTrainingStarted(TrainingStarted.newBuilder().setJobId(jobId)
                .setAttemptId("attempt-9").setWorkerId("late")));
        Thread.sleep(1500);
        assertThat(state(jobId)).isEqualTo("SUCCEEDED");

        List<String> events = stream.get(30, TimeUnit.SECONDS);
        assertThat(events.get(0)).contains("\"type\":\"snapshot\"");
        assertThat(String.join("\n", events)).contains("JOB_STATE_DISPATCHED").contains("\"type\":\"progress\"");
    }

    @Test
    void theHigherPriorityJobIsAdmittedFirst() throws Exception {
        // Both jobs must be waiting before any slot exists: let earlier tests' workers fall silent first.
        await().atMost(Duration.ofSeconds(20)).until(() -> support.count(
                "select count(*) from workers where last_seen > now() - interval '5 seconds'") == 0);
        String low = submit(JobsTestSupport.spec("low-" + UUID.randomUUID(), "life-model", "dates")
                .setPriority(PriorityClass.PRIORITY_CLASS_LOW));
        String high = submit(JobsTestSupport.spec("high-" + UUID.randomUUID(), "life-model", "dates")
                .setPriority(PriorityClass.PRIORITY_CLASS_HIGH));

        support.fixtures().heartbeat("worker-" + high, WORKER_SLOTS);
        awaitState(high, "DISPATCHED");
        // The team may run one job at a time: the older, lower-priority job keeps waiting.
        assertThat(state(low)).isEqualTo("QUEUED");
        // Its place is in the pool's whole queue (other teams wait too); a worker is alive, so a start is estimated.
        given().auth().oauth2(token).when().get("/jobs/" + low).then()
                .body("queuePosition", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("estimatedStart", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void cancellingARunningJobAsksTheWorkerAndEndsWhenItConfirms() throws Exception {
        String jobId = submit(JobsTestSupport.spec("cancel-" + UUID.randomUUID(), "life-model", "dates"));
        support.fixtures().heartbeat("worker-" + jobId, WORKER_SLOTS);
        awaitState(jobId, "DISPATCHED");
        training(jobId, TrainingEvent.newBuilder().setTrainingStarted(TrainingStarted.newBuilder().setJobId(jobId)
                .setAttemptId("a-1").setWorkerId("worker-" + jobId)));
        awaitState(jobId, "RUNNING");

        given().auth().oauth2(token).when().post("/jobs/" + jobId + "/cancel").then().statusCode(202)
                .body("state", equalTo("CANCEL_REQUESTED"));
        List<ConsumerRecord<String, byte[]>> control = kafka.await(Topics.TRAINING_CONTROL, r -> jobId.equals(r.key()), 1,
                Duration.ofSeconds(30));
        assertThat(control).hasSize(1);
        assertThat(TrainingControl.parseFrom(control.get(0).value()).getCancelTraining().getAttemptId()).isEqualTo("a-1");

        training(jobId, TrainingEvent.newBuilder().setTrainingCancelled(TrainingCancelled.newBuilder().setJobId(jobId)
                .setAttemptId("a-1").setStep(42)));
        awaitState(jobId, "CANCELLED");
    }

    @Test
    void aCancellationNobodyConfirmsEndsAfterTheTimeout() throws Exception {
        String jobId = submit(JobsTestSupport.spec("orphan-" + UUID.randomUUID(), "life-model", "dates"));
        support.fixtures().heartbeat("worker-" + jobId, WORKER_SLOTS);
        awaitState(jobId, "DISPATCHED");
        given().auth().oauth2(token).when().post("/jobs/" + jobId + "/cancel").then().statusCode(202)
                .body("state", equalTo("CANCEL_REQUESTED"));
        awaitState(jobId, "CANCELLED"); // cancel-timeout is 3 s in tests
        assertThat(support.count("select count(*) from job_transitions where job_id = ? and cause = 'cancel-timeout'",
                jobId)).isEqualTo(1);
    }

    private String submit(JobSpec.Builder spec) throws Exception {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(JsonFormat.printer().print(spec))
                .when().post("/jobs?team=" + team).then().statusCode(202).extract().path("jobId");
    }

    private String state(String jobId) {
        return given().auth().oauth2(token).when().get("/jobs/" + jobId).then().statusCode(200).extract().path("state");
    }

    private void awaitState(String jobId, String state) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(state(jobId)).isEqualTo(state));
    }

    private TrainingTask awaitTask(String jobId) throws Exception {
        List<ConsumerRecord<String, byte[]>> tasks = kafka.await(Topics.TRAINING_TASKS, r -> jobId.equals(r.key()), 1,
                Duration.ofSeconds(30));
        assertThat(tasks).as("TrainingTask of " + jobId).hasSize(1);
        return TrainingTaskMessage.parseFrom(tasks.get(0).value()).getTrainingTask();
    }

    private static TrainingProgress.Builder progress(String jobId, String attemptId, long step, double loss) {
        return TrainingProgress.newBuilder().setJobId(jobId).setAttemptId(attemptId).setStep(step).setTotalSteps(600)
                .setLoss(loss).setLearningRate(3e-3).setTokensPerSecond(1500).setEtaSeconds(300);
    }

    private void training(String jobId, TrainingEvent.Builder event) {
        kafka.send(Topics.TRAINING_EVENTS, jobId, event.build().toByteArray(),
                Map.of("foundry-event-id", UUID.randomUUID().toString()));
    }

    private void evaluation(String jobId, Verdict verdict) {
        EvaluationEvent event = EvaluationEvent.newBuilder().setEvaluationCompleted(EvaluationCompleted.newBuilder()
                .setJobId(jobId).setTeam(team).setVerdict(verdict).setAttemptId("attempt-1")
                .putCandidateMetrics("exact_match", 0.95).putBaselineMetrics("exact_match", 0.0)
                .setSummary("exact_match 0.95 >= 0.9")).build();
        kafka.send(Topics.EVALUATION_EVENTS, jobId, event.toByteArray(),
                Map.of("foundry-event-id", UUID.randomUUID().toString()));
    }

    /** Reads the job's Server-Sent Events until {@code count} data lines arrived (or 30 s passed). */
    private CompletableFuture<List<String>> watch(String jobId, int count) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(jobsUri + "/" + jobId + "/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build();
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        return CompletableFuture.supplyAsync(() -> {
            List<String> data = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                String line;
                while (data.size() < count && System.nanoTime() < deadline && (line = reader.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        data.add(line.substring(5).trim());
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return data;
        });
    }
}
