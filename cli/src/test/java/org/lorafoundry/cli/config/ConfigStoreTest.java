package org.lorafoundry.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;

class ConfigStoreTest {

    @TempDir
    Path dir;

    @Test
    void savedConfigLoadsBackAndOnlyItsOwnerCanReadIt() throws Exception {
        ConfigStore store = new ConfigStore(dir.resolve("nested/foundry/config.json"));
        CliConfig config = new CliConfig("t0k3n", "demo", "http://jobs:8082", null, null, "kafka:9092");

        store.save(config);

        assertThat(store.load()).isEqualTo(config);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
        assertThat(Files.readString(store.file())).doesNotContain("datasetsUrl"); // absent settings are not written
        assertThat(dir.resolve("nested/foundry")).isDirectoryNotContaining("glob:*.tmp");
    }

    @Test
    void savingAgainReplacesTheFileAndKeepsItPrivate() throws Exception {
        ConfigStore store = new ConfigStore(dir.resolve("config.json"));
        Files.writeString(store.file(), "{}");
        Files.setPosixFilePermissions(store.file(), PosixFilePermissions.fromString("rw-r--r--"));

        store.save(new CliConfig("new", null, null, null, null, null));

        assertThat(store.load().token()).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
    }

    @Test
    void noFileIsAnEmptyConfigAndABrokenOneIsAUsageError() throws Exception {
        ConfigStore store = new ConfigStore(dir.resolve("config.json"));
        assertThat(store.load()).isEqualTo(CliConfig.EMPTY);

        Files.writeString(store.file(), "{\"token\": ");
        assertThatThrownBy(store::load).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(e.getMessage()).contains(store.file().toString()).contains("foundry login");
        });
    }

    @Test
    void theFileIsTheFlagsElseFoundryConfigElseUnderXdgConfigHome() {
        Map<String, String> environment = Map.of("FOUNDRY_CONFIG", "/etc/foundry.json", "XDG_CONFIG_HOME", "/xdg");

        assertThat(ConfigStore.locate("/flag.json", environment).file()).isEqualTo(Path.of("/flag.json"));
        assertThat(ConfigStore.locate(null, environment).file()).isEqualTo(Path.of("/etc/foundry.json"));
        assertThat(ConfigStore.locate(null, Map.of("XDG_CONFIG_HOME", "/xdg")).file())
                .isEqualTo(Path.of("/xdg/foundry/config.json"));
        assertThat(ConfigStore.locate(null, Map.of()).file())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".config", "foundry", "config.json"));
    }

    @Test
    void unknownFieldsOfANewerCliAreIgnored() throws Exception {
        ConfigStore store = new ConfigStore(dir.resolve("config.json"));
        Files.writeString(store.file(), "{\"token\": \"t\", \"colour\": \"always\"}");

        assertThat(store.load().token()).isEqualTo("t");
    }
}
