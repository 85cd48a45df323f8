package org.lorafoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.platform.auth.JwtKeys;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.auth.TokenMinter;
import org.lorafoundry.testkit.Database;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.PlatformFixtures;
import org.lorafoundry.testkit.ServiceProcess;

/**
 * The CLI against the real jobs and datasets services, each its own process (their packaged jars) on a real Kafka
 * broker and a real PostgreSQL; the CLI runs in this JVM through {@link FoundryCli#run} with captured streams, exactly
 * as its {@code main} would.
 */
class CliIT {

    private static final String TEAM = "demo";
    private static final String BASE_MODEL = "foundry-tiny-llama";
    private static final String DATASET = "dates";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("eyJ[\\w-]+\\.[\\w-]+\\.[\\w-]+");
    private static final Path TRANSCRIPT = Path.of(System.getProperty("foundry.root", "..")).toAbsolutePath()
            .normalize().resolve("cli/target/cli-it-transcript.txt");

    private static FoundryInfrastructure infrastructure;
    private static Database jobsDatabase;
    private static ServiceProcess jobs;
    private static ServiceProcess datasets;
    private static TokenMinter minter;
    private static Path keys;

    @TempDir
    Path dir;

    /** A member of demo. */
    private String alice;

    @BeforeAll
    static void startServices() throws Exception {
        infrastructure = FoundryInfrastructure.get();
        jobsDatabase = infrastructure.newDatabase("cli_jobs");
        Database datasetsDatabase = infrastructure.newDatabase("cli_datasets");
        Files.deleteIfExists(TRANSCRIPT);
        Path state = Files.createTempDirectory("foundry-cli-it-");
        keys = state.resolve("keys");
        // One key pair for both services (as ./foundry up makes it), and for the tokens this test mints.
        JwtKeys.ensure(keys);
        minter = new TokenMinter(JwtKeys.readPrivateKey(keys.resolve(JwtKeys.PRIVATE_KEY_FILE)),
                TokenMinter.DEFAULT_ISSUER);
        Map<String, String> common = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafkaBootstrapServers(),
                "FOUNDRY_BLOB_ROOT", state.resolve("blobs").toString(),
                "FOUNDRY_JWT_PUBLIC_KEY", keys.resolve(JwtKeys.PUBLIC_KEY_FILE).toString(),
                "FOUNDRY_JWT_PRIVATE_KEY", keys.resolve(JwtKeys.PRIVATE_KEY_FILE).toString(),
                "FOUNDRY_TEAMS", TEAM + ",other");
        // Both start at once: on a busy machine each takes a while.
        CompletableFuture<ServiceProcess> jobsStarting = start("jobs", common, jobsDatabase);
        CompletableFuture<ServiceProcess> datasetsStarting = start("datasets", common, datasetsDatabase);
        jobs = jobsStarting.get(180, TimeUnit.SECONDS);
        datasets = datasetsStarting.get(180, TimeUnit.SECONDS);
        // What the registry and the datasets service would have announced before anyone submits.
        PlatformFixtures fixtures = new PlatformFixtures(infrastructure.kafkaBootstrapServers());
        fixtures.baseModel(BASE_MODEL);
        fixtures.dataset(TEAM, DATASET, 1);
        jobsDatabase.awaitRow(Duration.ofSeconds(60), "select count(*) from jobs.base_models where name = ?",
                BASE_MODEL);
        jobsDatabase.awaitRow(Duration.ofSeconds(60), "select count(*) from jobs.dataset_versions where team = ? and name = ?",
                TEAM, DATASET);
    }

    @AfterAll
    static void stopServices() throws Exception {
        for (ServiceProcess service : new ServiceProcess[] {jobs, datasets}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @BeforeEach
    void tokens() {
        alice = token("alice", List.of(TEAM), Role.MEMBER);
    }

    // ---------------------------------------------------------------- jobs over REST

    @Test
    void aJobSubmittedOverRestIsListedShownCancelledAndItsHistoryKept() throws Exception {
        String jobId = newJobId("rest");

        CliRun submit = cli(alice, "jobs", "submit", spec().toString(), "--job-id", jobId);
        assertThat(submit.exitCode()).as(submit.toString()).isZero();
        assertThat(submit.out()).startsWith("Job " + jobId + " accepted: QUEUED");

        CliRun list = cli(alice, "jobs", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).startsWith("JOB").containsPattern(jobId + "\\s+demo\\s+QUEUED");

        JsonNode shown = JSON.readTree(cli(alice, "jobs", "show", jobId, "--json").out());
        assertThat(shown.path("state").asText()).isEqualTo("QUEUED");
        assertThat(shown.path("team").asText()).isEqualTo(TEAM);
        assertThat(shown.path("spec").path("dataset").path("version").asInt()).as("normalised: resolved version")
                .isEqualTo(1);
        assertThat(cli(alice, "jobs", "show", jobId).out()).containsPattern("base model\\s+" + BASE_MODEL)
                .containsPattern("lora\\s+r=8 alpha=16");

        CliRun cancel = cli(alice, "jobs", "cancel", jobId, "--reason", "changed my mind");
        assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).isEqualTo("Job " + jobId + ": CANCELLED\n");

        CliRun again = cli(alice, "jobs", "cancel", jobId);
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(3);
        assertThat(again.err()).startsWith("error: JOB_ALREADY_FINAL: ");

        CliRun history = cli(alice, "jobs", "history", jobId);
        assertThat(history.out()).containsPattern("QUEUED\\s+CANCELLED\\s+CancelJob\\s+user:alice");
    }

    @Test
    void theSameSubmissionAgainIsTheSameJob() {
        String jobId = newJobId("twice");

        CliRun first = cli(alice, "jobs", "submit", spec().toString(), "--job-id", jobId);
        CliRun second = cli(alice, "jobs", "submit", spec().toString(), "--job-id", jobId);

        assertThat(first.out()).contains("accepted");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).startsWith("Job " + jobId + " already submitted (identical spec), unchanged");
    }

    @Test
    void aRefusedSpecExitsThreeWithEveryViolation() throws Exception {
        Path spec = Files.writeString(dir.resolve("bad.yaml"), """
                baseModel: {name: foundry-tiny-llama}
                dataset: {name: no-such-dataset}
                lora: {r: 8, loraAlpha: 16, targetModules: [not_a_module]}
                gatePolicy: {thresholds: [{metricName: exact_match, valueThreshold: {lowerBound: 0.9}}]}
                """);

        CliRun run = cli(alice, "jobs", "submit", spec.toString(), "--job-id", newJobId("refused"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.err()).startsWith("error: UNKNOWN_DATASET: ")
                .contains("  spec.dataset: NOT_FOUND: ").contains("not_a_module");
    }

    // ---------------------------------------------------------------- jobs over Kafka

    @Test
    void aJobSentStraightToKafkaIsAcceptedByTheJobsService() throws Exception {
        // JSON this time, and no job id: the CLI makes one, prints it, and keys the record with it.
        Path spec = Files.writeString(dir.resolve("job.json"), """
                {"displayName": "Dates over Kafka", "baseModel": {"name": "foundry-tiny-llama"},
                 "dataset": {"name": "dates"}, "lora": {"r": 4, "loraAlpha": 8},
                 "gatePolicy": {"thresholds": [{"metricName": "exact_match", "valueThreshold": {"lowerBound": 0.9}}]}}
                """);

        CliRun run = cli(alice, "jobs", "submit", spec.toString(), "--kafka", "--bootstrap",
                infrastructure.kafkaBootstrapServers());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String jobId = run.out().strip();
        assertThat(jobId).matches("job-[0-9a-f]{16}");
        assertThat(run.err()).contains("Sent to foundry.jobs.commands.demo");
        CliRun shown = eventually(() -> cli(alice, "jobs", "show", jobId, "--json"), r -> r.exitCode() == 0);
        JsonNode job = JSON.readTree(shown.out());
        assertThat(job.path("state").asText()).isEqualTo("QUEUED");
        assertThat(job.path("spec").path("displayName").asText()).isEqualTo("Dates over Kafka");
    }

    @Test
    void withWaitAKafkaSubmissionReportsTheJobsServicesAcceptance() throws Exception {
        String jobId = newJobId("wait");

        CliRun run = cli(alice, "jobs", "submit", spec().toString(), "--kafka", "--wait", "60", "--job-id", jobId);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Job " + jobId + " accepted (sent to foundry.jobs.commands.demo")
                .contains("dataset " + DATASET + "@v1, base model " + BASE_MODEL);
        // The answer was the service's: the job is stored and queued by now, no polling needed.
        JsonNode job = JSON.readTree(cli(alice, "jobs", "show", jobId, "--json").out());
        assertThat(job.path("state").asText()).isEqualTo("QUEUED");

        CliRun again = cli(alice, "jobs", "submit", spec().toString(), "--kafka", "--wait", "--job-id", jobId,
                "--json");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        JsonNode answer = JSON.readTree(again.out());
        assertThat(answer.path("accepted").asBoolean()).isTrue();
        assertThat(answer.path("duplicate").asBoolean()).as("the same spec again is the same job").isTrue();
    }

    @Test
    void withWaitARefusedKafkaSubmissionExitsThreeWithTheServicesReasons() throws Exception {
        Path spec = Files.writeString(dir.resolve("unknown.yaml"), """
                displayName: On a dataset nobody uploaded
                baseModel: {name: foundry-tiny-llama}
                dataset: {name: never-uploaded}
                lora: {r: 8, loraAlpha: 16, targetModules: [q_proj]}
                gatePolicy: {thresholds: [{metricName: exact_match, valueThreshold: {lowerBound: 0.9}}]}
                """);
        String jobId = newJobId("refused");

        CliRun run = cli(alice, "jobs", "submit", spec.toString(), "--kafka", "--wait", "--job-id", jobId);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.err()).startsWith("error: UNKNOWN_DATASET: ").contains("never-uploaded");
        assertThat(cli(alice, "jobs", "show", jobId).exitCode()).as("nothing stored").isEqualTo(2);
    }

    @Test
    void waitWithoutKafkaIsAUsageError() {
        CliRun run = cli(alice, "jobs", "submit", spec().toString(), "--wait");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("--wait is for --kafka");
    }

    @Test
    void aKafkaSubmissionToABrokerThatIsNotThereIsExitCodeFive() {
        CliRun run = cli(alice, "jobs", "submit", spec().toString(), "--kafka", "--bootstrap", "127.0.0.1:1");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(run.err()).startsWith("error: KAFKA_UNAVAILABLE: Kafka at 127.0.0.1:1 did not take the command");
    }

    // ---------------------------------------------------------------- watch

    @Test
    void watchFollowsAJobUntilItEndsAndExitsSixWhenItWasCancelled() throws Exception {
        String jobId = newJobId("watch");
        assertThat(cli(alice, "jobs", "submit", spec().toString(), "--job-id", jobId).exitCode()).isZero();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment watching = new CliEnvironment(environment(alice), new PrintWriter(out, true),
                new PrintWriter(err, true), new ByteArrayInputStream(new byte[0]), false);

        CompletableFuture<Integer> watch = CompletableFuture.supplyAsync(
                () -> FoundryCli.run(new String[] {"jobs", "watch", jobId}, watching));
        eventually(() -> out.toString(), text -> text.contains("job " + jobId + ": QUEUED"));
        assertThat(watch).as("still watching a queued job").isNotDone();
        assertThat(cli(alice, "jobs", "cancel", jobId).exitCode()).isZero();

        int exitCode = watch.get(60, TimeUnit.SECONDS);
        assertThat(exitCode).as(out + "\n" + err).isEqualTo(6);
        assertThat(out.toString()).containsPattern("(?m)^CANCELLED  \\(CancelJob, by user:alice\\)$")
                .endsWith("job " + jobId + " ended CANCELLED\n");

        // A job that is over ends the watch at once, at its snapshot.
        CliRun over = cli(alice, "jobs", "watch", jobId, "--json");
        assertThat(over.exitCode()).isEqualTo(6);
        assertThat(JSON.readTree(over.out().lines().findFirst().orElseThrow()).path("type").asText())
                .isEqualTo("snapshot");
    }

    // ---------------------------------------------------------------- access

    @Test
    void withoutATokenTheServicesAnswer401AndTheCliExitsFour() {
        CliRun jobsList = cli(null, "jobs", "list");
        CliRun datasetsList = cli(null, "datasets", "list");

        assertThat(jobsList.exitCode()).as(jobsList.toString()).isEqualTo(4);
        assertThat(jobsList.err()).startsWith("error: UNAUTHORIZED: No token: run 'foundry login'");
        assertThat(datasetsList.exitCode()).isEqualTo(4);
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws Exception {
        Path otherKeys = dir.resolve("other-keys");
        JwtKeys.ensure(otherKeys);
        String forged = new TokenMinter(JwtKeys.readPrivateKey(otherKeys.resolve(JwtKeys.PRIVATE_KEY_FILE)),
                TokenMinter.DEFAULT_ISSUER).mint("mallory", List.of(TEAM), List.of(Role.ADMIN), Duration.ofHours(1));

        CliRun run = cli(forged, "jobs", "list");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.err()).contains("did not accept the token");
    }

    @Test
    void anotherTeamsJobIsNotFound() throws Exception {
        String jobId = newJobId("private");
        assertThat(cli(alice, "jobs", "submit", spec().toString(), "--job-id", jobId).exitCode()).isZero();
        String olga = token("olga", List.of("other"), Role.MEMBER);

        CliRun show = cli(olga, "jobs", "show", jobId);
        CliRun cancel = cli(olga, "jobs", "cancel", jobId, "--json");
        CliRun list = cli(olga, "jobs", "list");

        assertThat(show.exitCode()).as(show.toString()).isEqualTo(2);
        assertThat(show.err()).startsWith("error: NOT_FOUND: ");
        assertThat(cancel.exitCode()).isEqualTo(2);
        assertThat(JSON.readTree(cancel.out()).path("error").path("status").asInt()).isEqualTo(404);
        assertThat(list.out()).doesNotContain(jobId);
        assertThat(cli(alice, "jobs", "show", jobId).out()).contains("QUEUED");
    }

    // ---------------------------------------------------------------- datasets

    @Test
    void aDatasetUploadedWithTheCliIsListedShownAndUsableByAJob() throws Exception {
        Path rows = Files.writeString(dir.resolve("reviews.jsonl"), rows(30, "review"));

        CliRun upload = cli(alice, "datasets", "upload", "reviews", rows.toString(), "--validation-fraction", "0.2");
        assertThat(upload.exitCode()).as(upload.toString()).isZero();
        assertThat(upload.out()).startsWith("Created demo/reviews@v1: ").contains("format prompt_completion");

        CliRun again = cli(alice, "datasets", "upload", "reviews", rows.toString(), "--validation-fraction", "0.2");
        assertThat(again.out()).startsWith("Unchanged, identical to demo/reviews@v1");

        assertThat(cli(alice, "datasets", "list").out()).containsPattern("demo/reviews\\s+v1\\s+prompt_completion\\s+30");
        JsonNode version = JSON.readTree(cli(alice, "datasets", "show", "reviews@v1", "--json").out());
        assertThat(version.path("ref").asText()).isEqualTo("demo/reviews@v1");
        long splitRows = 0;
        for (JsonNode split : version.path("splits")) {
            splitRows += split.path("rows").asLong();
        }
        assertThat(splitRows).isEqualTo(30);
        assertThat(cli(alice, "datasets", "show", "reviews").out()).containsPattern("dataset\\s+demo/reviews@v1");

        // The datasets service announced it; the jobs service accepts a job that names it.
        jobsDatabase.awaitRow(Duration.ofSeconds(60), "select count(*) from jobs.dataset_versions where team = ? and name = ?",
                TEAM, "reviews");
        String spec = Files.readString(spec()).replace("name: dates", "name: reviews");
        String jobId = newJobId("reviews");
        CliRun submit = cli(alice, "jobs", "submit", Files.writeString(dir.resolve("reviews.yaml"), spec).toString(),
                "--job-id", jobId);
        assertThat(submit.exitCode()).as(submit.toString()).isZero();
        assertThat(JSON.readTree(cli(alice, "jobs", "show", jobId, "--json").out()).path("spec").path("dataset")
                .path("name").asText()).isEqualTo("reviews");
    }

    @Test
    void aSeparateValidationFileGoesUpAsMultipart() throws Exception {
        Path train = Files.writeString(dir.resolve("train.jsonl"), rows(20, "train"));
        Path validation = Files.writeString(dir.resolve("validation.jsonl"), rows(4, "held-out"));

        CliRun upload = cli(alice, "datasets", "upload", "split-by-hand", train.toString(), "--validation",
                validation.toString(), "--json");

        assertThat(upload.exitCode()).as(upload.toString()).isZero();
        JsonNode splits = JSON.readTree(upload.out()).path("dataset").path("splits");
        Map<String, Long> rowsBySplit = new HashMap<>();
        splits.forEach(split -> rowsBySplit.put(split.path("name").asText(), split.path("rows").asLong()));
        assertThat(rowsBySplit).containsEntry("train", 20L).containsEntry("validation", 4L);
    }

    @Test
    void aRejectedUploadListsItsProblemsByLine() throws Exception {
        Path rows = Files.writeString(dir.resolve("broken.jsonl"), rows(12, "ok") + "this is not json\n");

        CliRun upload = cli(alice, "datasets", "upload", "broken", rows.toString());

        assertThat(upload.exitCode()).as(upload.toString()).isEqualTo(3);
        assertThat(upload.err()).startsWith("error: DATASET_REJECTED: ").contains("  line 13: NOT_JSON: ");
    }

    // ---------------------------------------------------------------- login and admin

    @Test
    void loginChecksAndStoresTheTokenForLaterCommands() throws Exception {
        Path config = dir.resolve("foundry/config.json");
        Map<String, String> environment = new HashMap<>(environment(null));
        environment.put("FOUNDRY_CONFIG", config.toString());

        CliRun refused = cli(environment, stdin(token("eve", List.of(TEAM), Role.MEMBER, Duration.ofSeconds(-5))),
                "login", "--token-stdin");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("expired");
        assertThat(config).doesNotExist();

        CliRun login = cli(environment, stdin(alice), "login", "--token-stdin");
        assertThat(login.exitCode()).as(login.toString()).isZero();
        assertThat(login.out()).startsWith("Logged in as alice.").containsPattern("teams\\s+demo");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        assertThat(Files.readString(config)).contains(alice);

        CliRun list = cli(environment, stdin(""), "jobs", "list");
        assertThat(list.exitCode()).as(list.toString()).isZero();
    }

    @Test
    void loginRefusesATokenTheServiceDoesNotAccept() throws Exception {
        Path otherKeys = dir.resolve("other-keys");
        JwtKeys.ensure(otherKeys);
        String forged = new TokenMinter(JwtKeys.readPrivateKey(otherKeys.resolve(JwtKeys.PRIVATE_KEY_FILE)),
                TokenMinter.DEFAULT_ISSUER).mint("mallory", List.of(TEAM), List.of(Role.MEMBER), Duration.ofHours(1));
        Path config = dir.resolve("config.json");
        Map<String, String> environment = new HashMap<>(environment(null));
        environment.put("FOUNDRY_CONFIG", config.toString());

        CliRun login = cli(environment, stdin(""), "login", "--token", forged);

        assertThat(login.exitCode()).as(login.toString()).isEqualTo(4);
        assertThat(login.err()).startsWith("error: TOKEN_REFUSED: ").contains("nothing was stored");
        assertThat(config).doesNotExist();
    }

    @Test
    void anAdminManagesTeamsAndMintsTokensThatWork() {
        String root = token("root", List.of(), Role.ADMIN);
        String team = "team-" + UUID.randomUUID().toString().substring(0, 8);

        assertThat(cli(root, "admin", "teams", "list").out()).containsPattern("(?m)^demo\\s+\\d+\\s+\\d+");
        CliRun missing = cli(root, "admin", "teams", "set", team, "--max-running", "1");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("is new: give --max-running, --max-queued, --weight and --priorities");
        CliRun created = cli(root, "admin", "teams", "set", team, "--max-running", "1", "--max-queued", "5",
                "--weight", "2", "--priorities", "LOW,NORMAL");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).startsWith("Created team " + team + ": max running 1, max queued 5, weight 2.0");
        CliRun updated = cli(root, "admin", "teams", "set", team, "--max-queued", "7");
        assertThat(updated.out()).startsWith("Updated team " + team + ": max running 1, max queued 7, weight 2.0");

        CliRun minted = cli(root, "admin", "tokens", "create", "--subject", "carol", "--teams", team);
        assertThat(minted.exitCode()).as(minted.toString()).isZero();
        String carol = minted.out().strip();
        CliRun carolsJobs = cli(carol, "jobs", "list");
        assertThat(carolsJobs.exitCode()).as(carolsJobs.toString()).isZero();
        assertThat(carolsJobs.out()).isEqualTo("No jobs.\n");

        CliRun forbidden = cli(alice, "admin", "teams", "list");
        assertThat(forbidden.exitCode()).isEqualTo(4);
        assertThat(forbidden.err()).startsWith("error: FORBIDDEN: ");
    }

    // ---------------------------------------------------------------- helpers

    private CliRun cli(String token, String... args) {
        return transcribed(CliRun.run(environment(token), args), args);
    }

    private static CliRun cli(Map<String, String> environment, ByteArrayInputStream stdin, String... args) {
        return transcribed(CliRun.run(environment, stdin, false, args), args);
    }

    /**
     * Appends the run to {@code target/cli-it-transcript.txt}, tokens blanked: what the CLI printed for people, for
     * anyone reviewing its output.
     */
    private static CliRun transcribed(CliRun run, String... args) {
        String text = "$ foundry " + String.join(" ", args) + "\n" + run.out() + run.err() + "(exit " + run.exitCode()
                + ")\n\n";
        try {
            Files.writeString(TRANSCRIPT, TOKEN.matcher(text).replaceAll("<token>"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return run;
    }

    /** The CLI's environment: the services started here, a config file of this test's own, the token if any. */
    private Map<String, String> environment(String token) {
        Map<String, String> environment = new HashMap<>();
        environment.put("FOUNDRY_CONFIG", dir.resolve("no-config.json").toString());
        environment.put("FOUNDRY_JOBS_URL", jobs.uri("").toString());
        environment.put("FOUNDRY_DATASETS_URL", datasets.uri("").toString());
        environment.put("KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafkaBootstrapServers());
        if (token != null) {
            environment.put("FOUNDRY_TOKEN", token);
        }
        return environment;
    }

    private Path spec() {
        try {
            Path spec = dir.resolve("job.yaml");
            if (!Files.exists(spec)) {
                Files.writeString(spec, """
                        displayName: Dates in words
                        baseModel: {name: foundry-tiny-llama}
                        dataset: {name: dates}
                        lora:
                          r: 8
                          loraAlpha: 16
                          targetModules: [q_proj, v_proj]
                        gatePolicy:
                          thresholds:
                            - metricName: exact_match
                              valueThreshold: {lowerBound: 0.9}
                        """);
            }
            return spec;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String token(String subject, List<String> teams, Role role) {
        return token(subject, teams, role, Duration.ofHours(1));
    }

    private static String token(String subject, List<String> teams, Role role, Duration lifetime) {
        return minter.mint(subject, teams, List.of(role), lifetime);
    }

    private static String newJobId(String prefix) {
        return "cli-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Prompt/completion rows, all different. */
    private static String rows(int count, String tag) {
        return IntStream.range(0, count).mapToObj(i -> "{\"prompt\": \"" + tag + " " + i + ":\", \"completion\": \" "
                + "answer " + i + "\"}").collect(Collectors.joining("\n", "", "\n"));
    }

    private static ByteArrayInputStream stdin(String text) {
        return new ByteArrayInputStream((text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static <T> T eventually(Supplier<T> attempt, Predicate<T> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        T last = attempt.get();
        while (!done.test(last) && System.nanoTime() < deadline) {
            sleep(200);
            last = attempt.get();
        }
        assertThat(done.test(last)).as("within 60 s: " + last).isTrue();
        return last;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static CompletableFuture<ServiceProcess> start(String service, Map<String, String> common,
            Database database) {
        Map<String, String> environment = new HashMap<>(common);
        environment.put("FOUNDRY_DB_URL", database.jdbcUrl());
        environment.put("FOUNDRY_DB_USER", database.user());
        environment.put("FOUNDRY_DB_PASSWORD", database.password());
        Path logs = Path.of(System.getProperty("foundry.root", "..")).toAbsolutePath().normalize()
                .resolve("cli/target/it-logs");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ServiceProcess.start(service, environment, logs, Duration.ofSeconds(180));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot start " + service, e);
            }
        });
    }
}
