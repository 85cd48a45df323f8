package org.lorafoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The command line as picocli reads it, and what the CLI answers before (or without) reaching a service. */
class FoundryCliTest {

    /** Nothing listens on port 1: connections are refused at once. */
    private static final String NOBODY = "http://127.0.0.1:1";

    @TempDir
    Path dir;

    private Map<String, String> environment() {
        return Map.of("FOUNDRY_CONFIG", dir.resolve("config.json").toString(), "FOUNDRY_JOBS_URL", NOBODY,
                "FOUNDRY_DATASETS_URL", NOBODY, "FOUNDRY_REGISTRY_URL", NOBODY);
    }

    private static ParseResult parse(String... args) {
        CliEnvironment environment = new CliEnvironment(Map.of(), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), new ByteArrayInputStream(new byte[0]), false);
        return new CommandLine(new FoundryCommand(environment)).parseArgs(args);
    }

    @Test
    void globalOptionsAreAcceptedAfterTheSubcommandAndLandOnTheRoot() {
        ParseResult result = parse("jobs", "list", "--state", "RUNNING", "--json", "--team", "nlp",
                "--url-jobs", "http://jobs:9000");
        FoundryCommand root = (FoundryCommand) result.commandSpec().userObject();

        assertThat(root.json).isTrue();
        assertThat(root.team).isEqualTo("nlp");
        assertThat(root.flags().jobsUrl()).isEqualTo("http://jobs:9000");
        ParseResult list = result.subcommand().subcommand();
        assertThat(list.commandSpec().name()).isEqualTo("list");
        assertThat(list.<String>matchedOptionValue("--state", null)).isEqualTo("RUNNING");
        assertThat(list.<Integer>matchedOptionValue("--size", 20)).isEqualTo(20);
    }

    @Test
    void submitTakesTheSpecFileAndItsKafkaOptions() {
        ParseResult submit = parse("jobs", "submit", "spec.yaml", "--kafka", "--bootstrap", "broker:9092",
                "--job-id", "j-1").subcommand().subcommand();

        assertThat(submit.matchedPositional(0).<String>getValue()).isEqualTo("spec.yaml");
        assertThat(submit.<Boolean>matchedOptionValue("--kafka", false)).isTrue();
        assertThat(submit.<String>matchedOptionValue("--bootstrap", null)).isEqualTo("broker:9092");
        assertThat(submit.<String>matchedOptionValue("--job-id", null)).isEqualTo("j-1");
    }

    @Test
    void listOptionsSplitOnCommas() {
        ParseResult create = parse("admin", "tokens", "create", "--subject", "bob", "--teams", "demo,nlp",
                "--roles", "member,maintainer").subcommand().subcommand().subcommand();

        assertThat(create.<java.util.List<String>>matchedOptionValue("--teams", null)).containsExactly("demo", "nlp");
        assertThat(create.<java.util.List<String>>matchedOptionValue("--roles", null))
                .containsExactly("member", "maintainer");
    }

    @Test
    void anUnknownCommandIsAUsageErrorWithASuggestion() {
        CliRun run = CliRun.run(environment(), "job", "list");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: USAGE: Unmatched arguments").contains("Did you mean").contains("jobs");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingArgumentOrRequiredOptionIsAUsageError() {
        CliRun show = CliRun.run(environment(), "jobs", "show");
        CliRun mint = CliRun.run(environment(), "admin", "tokens", "create", "--teams", "demo");
        CliRun group = CliRun.run(environment(), "jobs");

        assertThat(show.exitCode()).isEqualTo(1);
        assertThat(show.err()).contains("error: USAGE: Missing required parameter: 'JOB_ID'")
                .contains("foundry jobs show --help");
        assertThat(mint.exitCode()).isEqualTo(1);
        assertThat(mint.err()).contains("Missing required option: '--subject=NAME'");
        assertThat(group.exitCode()).isEqualTo(1);
        assertThat(group.err()).contains("Missing required subcommand");
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        CliRun run = CliRun.run(environment(), "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("login", "datasets", "jobs", "adapters", "models", "admin")
                .contains("Exit codes:", "6  jobs watch: the job ended FAILED, REJECTED or CANCELLED");
    }

    @Test
    void versionComesFromTheBuild() {
        CliRun run = CliRun.run(environment(), "--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("foundry ").doesNotContain("${").doesNotContain("unknown");
    }

    @Test
    void anUnreachableServiceIsExitCode5AndNamesTheServiceAndItsSetting() {
        CliRun run = CliRun.run(environment(), "jobs", "list");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(5);
        assertThat(run.err()).startsWith("error: UNREACHABLE: Cannot reach the jobs service at " + NOBODY)
                .contains("--url-jobs or FOUNDRY_JOBS_URL");
    }

    @Test
    void withJsonAnErrorIsAlsoAJsonObjectOnStdout() throws Exception {
        CliRun run = CliRun.run(environment(), "datasets", "list", "--json");

        JsonNode error = new ObjectMapper().readTree(run.out()).path("error");
        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(error.path("code").asText()).isEqualTo("UNREACHABLE");
        assertThat(error.path("exitCode").asInt()).isEqualTo(5);
        assertThat(error.path("message").asText()).contains("datasets service");
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageError() {
        CliRun run = CliRun.run(environment(), "jobs", "list", "--url-jobs", "localhost:8082");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("error: USAGE: The jobs URL 'localhost:8082' is not an http(s) URL");
    }

    @Test
    void aMisspeltSpecFieldIsRefusedBeforeAnythingIsSent() throws Exception {
        Path spec = Files.writeString(dir.resolve("job.yaml"), """
                jobId: typo-1
                baseModel: {name: tiny}
                dataset: {name: reviews}
                lora: {r: 8, loraAlfa: 16}
                """, StandardCharsets.UTF_8);

        CliRun run = CliRun.run(environment(), "jobs", "submit", spec.toString());

        // The jobs URL leads nowhere: exit code 3 (not 5) shows the spec was refused before any call.
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.err()).startsWith("error: MALFORMED_SPEC: The job spec " + spec)
                .contains("loraAlfa").contains("foundry.v1.LoraConfig");
    }

    @Test
    void aMissingSpecFileIsAUsageError() {
        CliRun run = CliRun.run(environment(), "jobs", "submit", dir.resolve("nope.yaml").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("error: USAGE: No job spec file");
    }

    @Test
    void kafkaSubmissionNeedsATeamWhenTheTokenNamesNone() throws Exception {
        Path spec = Files.writeString(dir.resolve("job.json"), "{\"jobId\": \"k-1\"}", StandardCharsets.UTF_8);

        CliRun run = CliRun.run(environment(), "jobs", "submit", spec.toString(), "--kafka");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("error: USAGE: Say which team submits the job");
    }

    @Test
    void promoteNeedsAVersion() {
        CliRun run = CliRun.run(environment(), "adapters", "promote", "demo/sentiment", "--alias", "staging");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Say which version to promote");
    }
}
