package org.lorafoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.cli.config.CliConfig;
import org.lorafoundry.cli.config.ConfigStore;

/** What {@code login --no-verify} stores (checking with the jobs service is {@code CliIT}'s). */
class LoginCommandTest {

    private static final String DEMO_AND_NLP = TestTokens.unsigned(
            "{\"sub\":\"alice\",\"teams\":[\"demo\",\"nlp\"],\"groups\":[\"member\"],\"exp\":4102444800}");
    private static final String DEMO_ONLY = TestTokens.unsigned(
            "{\"sub\":\"alice\",\"teams\":[\"demo\"],\"groups\":[\"member\"],\"exp\":4102444800}");

    @TempDir
    Path dir;

    private CliRun login(String... args) {
        return CliRun.run(Map.of("FOUNDRY_CONFIG", dir.resolve("config.json").toString()), args);
    }

    private CliConfig stored() {
        return new ConfigStore(dir.resolve("config.json")).load();
    }

    @Test
    void storesTheTokenWithTheTeamUrlsAndKafkaGivenOnTheSameLine() {
        CliRun run = login("login", "--no-verify", "--token", DEMO_AND_NLP, "--team", "nlp", "--url-jobs",
                "http://jobs.example.com:8082", "--bootstrap", "kafka.example.com:9092");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("Logged in as alice (not checked with the jobs service).")
                .containsPattern("teams\\s+demo, nlp").containsPattern("team\\s+nlp");
        assertThat(stored()).isEqualTo(new CliConfig(DEMO_AND_NLP, "nlp", "http://jobs.example.com:8082", null, null,
                "kafka.example.com:9092"));
    }

    @Test
    void aNewTokenKeepsTheStoredSettingsButDropsATeamItDoesNotCover() {
        login("login", "--no-verify", "--token", DEMO_AND_NLP, "--team", "nlp", "--url-jobs", "http://jobs:1");

        CliRun run = login("login", "--no-verify", "--token", DEMO_ONLY);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(stored()).isEqualTo(new CliConfig(DEMO_ONLY, null, "http://jobs:1", null, null, null));
    }

    @Test
    void aStoredTeamTheNewTokenCoversIsKept() {
        login("login", "--no-verify", "--token", DEMO_AND_NLP, "--team", "demo");

        login("login", "--no-verify", "--token", DEMO_ONLY);

        assertThat(stored().team()).isEqualTo("demo");
    }

    @Test
    void somethingThatIsNotATokenIsRefusedAndNothingStored() {
        CliRun run = login("login", "--no-verify", "--token", "not-a-jwt");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("three dot-separated parts");
        assertThat(dir.resolve("config.json")).doesNotExist();
    }

    @Test
    void noTokenOnStandardInputIsAUsageError() {
        CliRun run = login("login", "--token-stdin");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("No token given");
    }
}
