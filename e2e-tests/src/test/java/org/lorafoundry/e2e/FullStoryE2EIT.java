package org.lorafoundry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.JwtKeys;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.auth.TokenMinter;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobCommand;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.SubmitTrainingJob;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.testkit.ClasspathDirectories;
import org.lorafoundry.testkit.Database;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.KafkaTestClient;
import org.lorafoundry.testkit.ServiceProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The whole story, smaller than the demo: the five services as separate processes on one real Kafka broker, one real
 * PostgreSQL and one blob store. An admin registers a base model (the engine's tiny Llama), a team uploads a task
 * dataset, submits a training job as a Kafka message with kcat, a worker trains it, the evaluator gates it, and the
 * registry holds the adapter, downloadable as a PEFT zip. Each stage is asserted where it happens.
 */
class FullStoryE2EIT {

    private static final String TEAM = "demo";
    private static final Duration STAGE = Duration.ofSeconds(240);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<ServiceProcess> services = new ArrayList<>();
    private static FoundryInfrastructure infrastructure;
    private static KafkaTestClient kafka;
    private static Kcat kcat;
    private static Path state;
    private static TokenMinter minter;
    private static ServiceProcess datasets;
    private static ServiceProcess jobs;
    private static ServiceProcess registry;

    @BeforeAll
    static void startThePlatform() throws Exception {
        infrastructure = FoundryInfrastructure.get();
        kafka = new KafkaTestClient(infrastructure.kafkaBootstrapServers());
        kcat = new Kcat(infrastructure.kafkaBootstrapServers());
        Database database = infrastructure.newDatabase("story");
        state = Files.createTempDirectory("foundry-story-");
        Path keys = state.resolve("keys");
        JwtKeys.ensure(keys); // one key pair for every service, as ./foundry up makes it
        minter = new TokenMinter(JwtKeys.readPrivateKey(keys.resolve(JwtKeys.PRIVATE_KEY_FILE)),
                TokenMinter.DEFAULT_ISSUER);
        Map<String, String> common = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafkaBootstrapServers(),
                "FOUNDRY_DB_URL", database.jdbcUrl(),
                "FOUNDRY_DB_USER", database.user(),
                "FOUNDRY_DB_PASSWORD", database.password(),
                "FOUNDRY_BLOB_ROOT", state.resolve("blobs").toString(),
                "FOUNDRY_JWT_PUBLIC_KEY", keys.resolve(JwtKeys.PUBLIC_KEY_FILE).toString(),
                "FOUNDRY_JWT_PRIVATE_KEY", keys.resolve(JwtKeys.PRIVATE_KEY_FILE).toString(),
                "FOUNDRY_TEAMS", TEAM,
                "FOUNDRY_REGISTRY_MODEL_ROOTS", state.resolve("models").toString(),
                "OMP_WAIT_POLICY", "PASSIVE"));
        common.put("FOUNDRY_TRAINER_WORK_DIR", state.resolve("trainer-work").toString());
        common.put("FOUNDRY_TRAINER_HEARTBEAT_INTERVAL", "1s");
        common.put("FOUNDRY_TRAINER_THREADS", "1");
        common.put("FOUNDRY_EVALUATOR_WORK_DIR", state.resolve("evaluator-work").toString());
        common.put("FOUNDRY_JOBS_SCHEDULER_INTERVAL", "0.5s");

        // Started together: on a busy machine each takes a while.
        List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        for (String service : List.of("datasets", "jobs", "trainer", "evaluator", "registry")) {
            starting.add(start(service, common));
        }
        for (CompletableFuture<ServiceProcess> service : starting) {
            services.add(service.get(300, TimeUnit.SECONDS));
        }
        datasets = services.get(0);
        jobs = services.get(1);
        registry = services.get(4);
    }

    @AfterAll
    static void stopThePlatform() throws Exception {
        for (ServiceProcess service : services) {
            service.close();
        }
    }

    @Test
    void aTeamTrainsAnAdapterThatIsEvaluatedGatedAndRegistered() throws Exception {
        String admin = minter.mint("root", List.of(TEAM), List.of(Role.ADMIN), Duration.ofHours(1));
        String alice = minter.mint("alice", List.of(TEAM), List.of(Role.MEMBER), Duration.ofHours(1));

        // 1. An admin registers the base model; the registry checks it with the engine and announces it.
        Path model = ClasspathDirectories.copy("fixtures/llama", state.resolve("models/tiny-llama"));
        JsonNode registered = send(registry, "POST", "/base-models", admin, "application/json",
                JSON.writeValueAsString(Map.of("name", "tiny-llama", "location", model.toUri().toString(),
                        "description", "the engine's tiny random Llama")), 201);
        assertThat(registered.toString()).contains("LlamaForCausalLM");

        // 2. The team uploads its task: answer every question with " yes" (learnable by a tiny model in seconds).
        JsonNode uploaded = send(datasets, "POST", "/datasets/yes-task?team=" + TEAM + "&validationFraction=0.2&seed=3",
                alice, "application/jsonl", questions(80), 201);
        assertThat(uploaded.toString()).contains("yes-task");

        // 3. A training job as a Kafka message, with kcat, on the team's command topic.
        String jobId = "story-" + UUID.randomUUID().toString().substring(0, 8);
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId(jobId).setDisplayName("Yes to everything")
                .setAdapterName("yes-sayer");
        spec.getBaseModelBuilder().setName("tiny-llama");
        spec.getDatasetBuilder().setName("yes-task");
        spec.getLoraBuilder().setR(8).setLoraAlpha(16).setTargetModulesRegex("all-linear");
        spec.getHyperparametersBuilder().setMaxSteps(60).setLearningRate(1e-2).setPerDeviceBatchSize(8)
                .setMaxSeqLength(48).setSeed(3).setCheckpointEverySteps(20);
        spec.getEvaluationBuilder().addMetrics("exact_match").addMetrics("validation_loss").setMaxEvalExamples(16)
                .getGenerationBuilder().setMaxNewTokens(4);
        spec.setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder()
                .setMetricName("exact_match").setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.8))));
        submitUntilTheFactsHaveArrived(jobId, JobCommand.newBuilder()
                .setSubmitTrainingJob(SubmitTrainingJob.newBuilder().setSpec(spec)).build().toByteArray());

        // 4. Jobs accepts and dispatches it; a worker trains it, reporting progress and checkpoints.
        List<TrainingEvent> training = trainingEvents(jobId, TrainingEvent::hasTrainingSucceeded);
        assertThat(training).anyMatch(TrainingEvent::hasTrainingStarted).anyMatch(TrainingEvent::hasTrainingProgress)
                .anyMatch(TrainingEvent::hasCheckpointSaved);
        var succeeded = training.stream().filter(TrainingEvent::hasTrainingSucceeded).findFirst().orElseThrow()
                .getTrainingSucceeded();
        assertThat(succeeded.getSteps()).isEqualTo(60);
        assertThat(succeeded.getFinalMetricsMap()).containsKey("train_loss");

        // 5. The evaluator measures it against the base model and gates it.
        var completed = kafka.await(Topics.EVALUATION_EVENTS, r -> jobId.equals(r.key()) && evaluation(r.value())
                .hasEvaluationCompleted(), 1, STAGE);
        assertThat(completed).as("EvaluationCompleted of " + jobId).hasSize(1);
        var verdict = evaluation(completed.get(0).value()).getEvaluationCompleted();
        System.out.printf("[story] %s: %s; exact_match %.3f (base %.3f), validation_loss %.3f (base %.3f)%n", jobId,
                verdict.getSummary(), verdict.getCandidateMetricsMap().get("exact_match"),
                verdict.getBaselineMetricsMap().get("exact_match"),
                verdict.getCandidateMetricsMap().get("validation_loss"),
                verdict.getBaselineMetricsMap().get("validation_loss"));
        assertThat(verdict.getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(verdict.getCandidateMetricsMap().get("exact_match")).isGreaterThanOrEqualTo(0.8);
        assertThat(verdict.getBaselineMetricsMap().get("exact_match")).isLessThan(0.8);

        // 6. The job ends SUCCEEDED and shows its verdict and registered adapter version.
        JsonNode job = awaitJson(jobs, "/jobs/" + jobId, alice,
                j -> j.path("state").asText().equals("SUCCEEDED") && j.path("result").has("adapterVersion"));
        assertThat(job.path("result").path("verdict").asText()).isEqualTo("PASSED");
        int version = job.path("result").path("adapterVersion").asInt();

        // 7. The registry holds the version with its lineage, and serves it as a PEFT zip.
        JsonNode registeredVersion = send(registry, "GET", "/adapters/" + TEAM + "/yes-sayer/versions/" + version,
                alice, null, null, 200);
        assertThat(registeredVersion.toString()).contains(jobId).contains("tiny-llama");
        HttpResponse<byte[]> zip = HttpClient.newHttpClient().send(HttpRequest.newBuilder(registry.uri(
                        "/adapters/" + TEAM + "/yes-sayer/versions/" + version + "/download"))
                .header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zip.statusCode()).isEqualTo(200);
        List<String> entries = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.add(entry.getName());
            }
        }
        assertThat(entries).anyMatch(e -> e.endsWith("adapter_config.json"))
                .anyMatch(e -> e.endsWith("adapter_model.safetensors"));
    }

    /**
     * Jobs learns of the dataset and the base model from events, a moment after the uploads answered: a submission in
     * that moment is refused (UNKNOWN_DATASET / UNKNOWN_BASE_MODEL), and nothing is stored. Like a person, retry then.
     */
    private static void submitUntilTheFactsHaveArrived(String jobId, byte[] command) throws Exception {
        for (int attempt = 1; attempt <= 30; attempt++) {
            kcat.produce(Topics.jobCommands(TEAM), jobId, command, Map.of(EventHeaders.EVENT_ID,
                    UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "SubmitTrainingJob"));
            var answers = kafka.await(Topics.JOB_EVENTS, r -> jobId.equals(r.key())
                    && (jobEvent(r.value()).hasJobAccepted() || jobEvent(r.value()).hasJobRejected()), attempt,
                    Duration.ofSeconds(60));
            assertThat(answers).as("answers to submission " + attempt).hasSize(attempt);
            JobEvent answer = jobEvent(answers.get(attempt - 1).value());
            if (answer.hasJobAccepted()) {
                return;
            }
            String code = answer.getJobRejected().getCode().name();
            assertThat(code).as(answer.getJobRejected().toString()).isIn("REJECTION_CODE_UNKNOWN_DATASET",
                    "REJECTION_CODE_UNKNOWN_BASE_MODEL");
            Thread.sleep(1000);
        }
        throw new AssertionError("jobs never learnt of the dataset and base model");
    }

    private static JobEvent jobEvent(byte[] value) {
        try {
            return JobEvent.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static String questions(int count) {
        String[] words = {"river", "garden", "window", "market", "letter", "silver", "harbor", "candle", "forest",
                "ladder", "pocket", "meadow", "bridge", "kettle", "button", "valley"};
        Random random = new Random(1);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < count; i++) {
            jsonl.append("{\"prompt\": \"Is the ").append(words[random.nextInt(words.length)]).append(' ')
                    .append(words[random.nextInt(words.length)]).append(' ').append(i)
                    .append(" here?\", \"completion\": \" yes\"}\n");
        }
        return jsonl.toString();
    }

    private static List<TrainingEvent> trainingEvents(String jobId, java.util.function.Predicate<TrainingEvent> until) {
        List<TrainingEvent> events = new ArrayList<>();
        kafka.await(Topics.TRAINING_EVENTS, r -> {
            if (!jobId.equals(r.key())) {
                return false;
            }
            try {
                TrainingEvent event = TrainingEvent.parseFrom(r.value());
                events.add(event);
                if (event.hasTrainingFailed()) {
                    throw new AssertionError("training failed: " + event.getTrainingFailed());
                }
                return until.test(event);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }, 1, STAGE);
        assertThat(events).as("training events of " + jobId).anyMatch(until);
        return events;
    }

    private static EvaluationEvent evaluation(byte[] value) {
        try {
            return EvaluationEvent.parseFrom(value);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode send(ServiceProcess service, String method, String path, String token, String type,
            String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).header("Authorization",
                "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    private static JsonNode awaitJson(ServiceProcess service, String path, String token,
            java.util.function.Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + STAGE.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = send(service, "GET", path, token, null, null, 200);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(path + " never reached the expected state; last: " + last);
    }

    private static CompletableFuture<ServiceProcess> start(String service, Map<String, String> common) {
        Path logs = Path.of(System.getProperty("foundry.root", "..")).toAbsolutePath().normalize()
                .resolve("e2e-tests/target/e2e-logs/story");
        List<String> flags = service.equals("trainer") || service.equals("evaluator") ? List.of("-Xmx384m") : List.of();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ServiceProcess.start(service, service, common, flags, logs, Duration.ofSeconds(300));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start " + service, e);
            }
        });
    }
}
