package org.lorafoundry.engine.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks of the files and directories a command line names, before anything is loaded: a wrong path is a
 * {@link ExitCode#BAD_INPUT} naming the option, not a stack of loader errors.
 */
final class InputPaths {
    private InputPaths() {
    }

    static Path directory(Path path, String option) {
        if (!Files.isDirectory(path)) {
            throw CliFailure.badInput(option + " " + path + (Files.exists(path) ? " is not a directory"
                    : " does not exist"));
        }
        return path;
    }

    static Path file(Path path, String option) {
        if (!Files.isRegularFile(path)) {
            throw CliFailure.badInput(option + " " + path + (Files.isDirectory(path) ? " is a directory, not a file"
                    : " does not exist"));
        }
        if (!Files.isReadable(path)) {
            throw CliFailure.badInput(option + " " + path + " is not readable");
        }
        return path;
    }

    /** A file, or null when the option was not given. */
    static Path optionalFile(Path path, String option) {
        return path == null ? null : file(path, option);
    }
}
