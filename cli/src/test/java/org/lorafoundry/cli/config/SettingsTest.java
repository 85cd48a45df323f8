package org.lorafoundry.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.TestTokens;

class SettingsTest {

    private static final CliConfig NO_FLAGS = CliConfig.EMPTY;

    @Test
    void withNothingConfiguredTheLocalDefaultsApply() {
        Settings settings = Settings.resolve(NO_FLAGS, Map.of(), CliConfig.EMPTY);

        assertThat(settings.url(Service.JOBS)).isEqualTo(URI.create("http://127.0.0.1:8082"));
        assertThat(settings.url(Service.DATASETS)).isEqualTo(URI.create("http://127.0.0.1:8081"));
        assertThat(settings.url(Service.REGISTRY)).isEqualTo(URI.create("http://127.0.0.1:8080"));
        assertThat(settings.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(settings.token()).isNull();
        assertThat(settings.team()).isNull();
    }

    @Test
    void flagsBeatTheEnvironmentWhichBeatsTheConfigFile() {
        CliConfig stored = new CliConfig("stored-token", "stored-team", "http://stored:1", "http://stored:2",
                "http://stored:3", "stored:9092");
        Map<String, String> environment = Map.of("FOUNDRY_TOKEN", "env-token", "FOUNDRY_JOBS_URL", "http://env:1/",
                "FOUNDRY_TEAM", "env-team", "KAFKA_BOOTSTRAP_SERVERS", "env:9092");
        CliConfig flags = new CliConfig(null, "flag-team", "http://flag:1", null, null, null);

        Settings settings = Settings.resolve(flags, environment, stored);

        assertThat(settings.team()).isEqualTo("flag-team");
        assertThat(settings.url(Service.JOBS)).isEqualTo(URI.create("http://flag:1"));
        assertThat(settings.token()).isEqualTo("env-token");
        assertThat(settings.kafkaBootstrap()).isEqualTo("env:9092");
        assertThat(settings.url(Service.DATASETS)).isEqualTo(URI.create("http://stored:2"));
    }

    @Test
    void blankEnvironmentVariablesDoNotCountAndTrailingSlashesGo() {
        Settings settings = Settings.resolve(NO_FLAGS, Map.of("FOUNDRY_TOKEN", " ", "FOUNDRY_REGISTRY_URL",
                "https://registry.example.com//"), new CliConfig("stored-token", null, null, null, null, null));

        assertThat(settings.token()).isEqualTo("stored-token");
        assertThat(settings.url(Service.REGISTRY)).isEqualTo(URI.create("https://registry.example.com"));
    }

    @Test
    void aUrlWithoutSchemeOrHostIsRefusedNamingItsSetting() {
        assertThatThrownBy(() -> Settings.resolve(new CliConfig(null, null, null, "ftp://x", null, null), Map.of(),
                CliConfig.EMPTY)).isInstanceOf(CliException.class)
                .hasMessageContaining("datasets URL 'ftp://x'").hasMessageContaining("FOUNDRY_DATASETS_URL");
    }

    @Test
    void theTeamFallsBackToTheTokensOnlyTeam() {
        String oneTeam = TestTokens.unsigned("{\"sub\":\"alice\",\"teams\":[\"demo\"],\"groups\":[\"member\"]}");
        String twoTeams = TestTokens.unsigned("{\"sub\":\"bob\",\"teams\":[\"demo\",\"nlp\"]}");

        assertThat(settings(oneTeam, null).effectiveTeam()).isEqualTo("demo");
        assertThat(settings(oneTeam, "other").effectiveTeam()).isEqualTo("other");
        assertThat(settings(twoTeams, null).effectiveTeam()).isNull();
        assertThatThrownBy(() -> settings(twoTeams, null).requireTeam("submits the job"))
                .isInstanceOf(CliException.class).hasMessageStartingWith("Say which team submits the job: --team");
    }

    private static Settings settings(String token, String team) {
        return Settings.resolve(new CliConfig(token, team, null, null, null, null), Map.of(), CliConfig.EMPTY);
    }
}
