package org.lorafoundry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.JwtKeys;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.auth.TokenMinter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code ./foundry demo} itself, as a newcomer runs it: the launcher starts its own Kafka, PostgreSQL and the five
 * services (on ports of their own, with state under {@code target/}), then tells the whole story with the starter
 * model. The targets the README promises are checked where they are recorded (the job's result over REST) and, when
 * the Python oracle is installed, by Hugging Face PEFT loading the downloaded adapter.
 */
class DemoE2EIT {

    private static final Duration DEMO_TIMEOUT = Duration.ofMinutes(20);
    private static final String JOB_ID = "demo-e2e-" + Long.toHexString(System.nanoTime());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ports apart from the defaults, so that a platform a person left running does not collide with this one. */
    private static final Map<String, String> PORTS = Map.of(
            "FOUNDRY_KAFKA_PORT", "29092", "FOUNDRY_KAFKA_CONTROLLER_PORT", "29093", "FOUNDRY_PG_PORT", "25432",
            "FOUNDRY_REGISTRY_PORT", "28080", "FOUNDRY_DATASETS_PORT", "28081", "FOUNDRY_JOBS_PORT", "28082",
            "FOUNDRY_TRAINER_PORT", "28083", "FOUNDRY_EVALUATOR_PORT", "28084");

    private static Path root;
    private static Path state;
    private static Path logs;
    private static String output;
    private static int exitCode;

    @BeforeAll
    static void runTheDemo() throws Exception {
        root = Path.of(System.getProperty("foundry.root", "..")).toAbsolutePath().normalize();
        state = root.resolve("e2e-tests/target/demo-state");
        logs = root.resolve("e2e-tests/target/e2e-logs/demo");
        Files.createDirectories(logs);
        if (Files.isDirectory(state.resolve("run"))) {
            stopThePlatform(); // what an interrupted earlier run left behind, before its state is deleted
        }
        deleteTree(state);
        Path log = logs.resolve("foundry-demo.log");
        Process demo = launcher("demo").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!demo.waitFor(DEMO_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            demo.destroyForcibly();
            throw new AssertionError("./foundry demo did not end within " + DEMO_TIMEOUT + "; its output: " + log);
        }
        exitCode = demo.exitValue();
        output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println("[demo] ./foundry demo exited " + exitCode + "; output in " + log);
    }

    @AfterAll
    static void stopThePlatform() throws Exception {
        Process down = launcher("down").redirectErrorStream(true)
                .redirectOutput(logs.resolve("foundry-down.log").toFile()).start();
        if (!down.waitFor(2, TimeUnit.MINUTES)) {
            down.destroyForcibly();
        }
    }

    @Test
    void theDemoEndsWithTheAdapterRegisteredAndItsPeftFilesOnDisk() {
        assertThat(exitCode).as("exit code of ./foundry demo; output:%n%s", output).isZero();
        assertThat(output).contains("[1/7]", "Registered starter-llama", "[2/7]", "Created demo/dates@v1",
                "[3/7]", "Job " + JOB_ID + " accepted", "[4/7]", "step 400/400", "ended SUCCEEDED", "[5/7]",
                "verdict     PASSED", "[6/7]", "3 files verified against SHA256SUMS", "[7/7]");
        Matcher took = Pattern.compile("The demo took (\\d+)m(\\d+)s").matcher(output);
        assertThat(took.find()).as("the demo reports its duration").isTrue();
        System.out.printf("[demo] the demo took %sm%ss (start-up of Kafka, PostgreSQL and the services included)%n", took.group(1), took.group(2));
        Path adapter = adapterDirectory();
        assertThat(adapter.resolve("adapter_config.json")).isRegularFile();
        assertThat(adapter.resolve("adapter_model.safetensors")).isRegularFile();
    }

    @Test
    void theGateHeldBothTargetsOfTheReadme() throws Exception {
        assertThat(exitCode).as("./foundry demo failed; output:%n%s", output).isZero();
        TokenMinter minter = new TokenMinter(JwtKeys.readPrivateKey(state.resolve("keys").resolve(
                JwtKeys.PRIVATE_KEY_FILE)), TokenMinter.DEFAULT_ISSUER);
        String token = minter.mint("demo-e2e", List.of("demo"), List.of(Role.MEMBER), Duration.ofMinutes(10));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + PORTS.get("FOUNDRY_JOBS_PORT") + "/jobs/" + JOB_ID))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(response.body()).path("result");
        System.out.println("[demo] result: " + result);
        assertThat(result.path("verdict").asText()).isEqualTo("PASSED");
        assertThat(result.path("candidateMetrics").path("exact_match").asDouble()).isGreaterThanOrEqualTo(0.9);
        assertThat(result.path("baselineMetrics").path("exact_match").asDouble()).isLessThanOrEqualTo(0.1);
        assertThat(result.path("candidateMetrics").path("forgetting").asDouble()).isBetween(-0.05, 0.05);
        assertThat(result.path("adapterVersion").asInt()).isPositive();
    }

    @Test
    void peftLoadsTheDownloadedAdapterAndMeasuresTheSameTargets() throws Exception {
        assertThat(exitCode).as("./foundry demo failed; output:%n%s", output).isZero();
        Path python = python();
        if (python == null) {
            assertThat(System.getenv("FOUNDRY_PYTHON_REQUIRED")).as("FOUNDRY_PYTHON_REQUIRED is set, but there is no "
                    + "Python oracle (libs/engine/scripts/python-env.sh)").isNotEqualTo("true");
            System.out.println("[demo] SKIPPED the PEFT check: no Python oracle (libs/engine/scripts/python-env.sh "
                    + "makes it; .ci/run does)");
            return;
        }
        Path log = logs.resolve("try-adapter.log");
        Process check = new ProcessBuilder(python.toString(), root.resolve("demo/scripts/try_adapter.py").toString(),
                adapterDirectory().toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(check.waitFor(10, TimeUnit.MINUTES)).as("try_adapter.py ended").isTrue();
        String printed = Files.readString(log);
        System.out.println("[demo] " + printed.replace("\n", "\n[demo] "));
        assertThat(check.exitValue()).as(printed).isZero();
        assertThat(printed).contains("PEFT loaded").contains("exact match on 200 held-out dates");
    }

    private static ProcessBuilder launcher(String command) {
        ProcessBuilder builder = new ProcessBuilder(root.resolve("foundry").toString(), command).directory(root.toFile());
        Map<String, String> env = builder.environment();
        // The demo must start its own parts: nothing a CI job or a person exported may point it elsewhere.
        env.keySet().removeIf(name -> name.equals("KAFKA_BOOTSTRAP_SERVERS") || name.startsWith("FOUNDRY_"));
        env.putAll(PORTS);
        env.put("FOUNDRY_STATE", state.toString());
        env.put("FOUNDRY_DEMO_JOB_ID", JOB_ID);
        env.put("FOUNDRY_READY_TIMEOUT", "300");
        return builder;
    }

    private static Path adapterDirectory() {
        Matcher files = Pattern.compile("PEFT files: +(\\S+)").matcher(output);
        assertThat(files.find()).as("the demo names the adapter's directory").isTrue();
        return Path.of(files.group(1));
    }

    /** FOUNDRY_PYTHON, else the venv of libs/engine/scripts/python-env.sh when it exists. */
    private static Path python() {
        String explicit = System.getenv("FOUNDRY_PYTHON");
        Path candidate = explicit != null && !explicit.isBlank() ? Path.of(explicit)
                : Path.of(System.getProperty("user.home"), ".cache", "lora-foundry", "venv", "bin", "python");
        return Files.isExecutable(candidate) ? candidate : null;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
