package org.lorafoundry.cli.config;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.lorafoundry.cli.CliException;

/**
 * The config file: {@code --config}, else {@code FOUNDRY_CONFIG}, else {@code $XDG_CONFIG_HOME/foundry/config.json},
 * else {@code ~/.config/foundry/config.json}. It holds a bearer token, so it is written readable by its owner only
 * (600) and replaced atomically, never left half written.
 */
public final class ConfigStore {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;

    public ConfigStore(Path file) {
        this.file = file;
    }

    public static ConfigStore locate(String flag, Map<String, String> environment) {
        if (flag != null && !flag.isBlank()) {
            return new ConfigStore(Path.of(flag));
        }
        String explicit = environment.get("FOUNDRY_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return new ConfigStore(Path.of(explicit));
        }
        String xdg = environment.get("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return new ConfigStore(base.resolve("foundry").resolve("config.json"));
    }

    public Path file() {
        return file;
    }

    /** The stored config; {@link CliConfig#EMPTY} when there is no file yet. */
    public CliConfig load() {
        if (!Files.exists(file)) {
            return CliConfig.EMPTY;
        }
        try {
            return MAPPER.readValue(file.toFile(), CliConfig.class);
        } catch (JacksonException e) {
            throw CliException.usage("The config file " + file + " is not valid JSON (" + e.getOriginalMessage()
                    + "): fix or delete it, then run 'foundry login'");
        } catch (IOException e) {
            throw CliException.usage("Cannot read the config file " + file + ": " + e.getMessage());
        }
    }

    public void save(CliConfig config) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temporary = parent.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(temporary);
            if (posix()) {
                // Created 600 from the start: the token is never readable by others, not even for a moment.
                Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            Files.write(temporary, MAPPER.writeValueAsBytes(config));
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            if (posix()) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
        } catch (IOException e) {
            throw CliException.usage("Cannot write the config file " + file + ": " + e.getMessage());
        }
    }

    private boolean posix() {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
