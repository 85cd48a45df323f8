package org.lorafoundry.cli;

import java.util.List;

/**
 * A failure a person can act on: printed as {@code error: <CODE>: <message>} (then any detail lines, indented) and
 * turned into the process's exit code. Anything else that escapes a command is a bug of the CLI.
 */
public class CliException extends RuntimeException {

    private final String code;
    private final ExitCode exitCode;
    private final List<String> details;

    public CliException(ExitCode exitCode, String code, String message, List<String> details) {
        super(message);
        this.code = code;
        this.exitCode = exitCode;
        this.details = List.copyOf(details);
    }

    public CliException(ExitCode exitCode, String code, String message) {
        this(exitCode, code, message, List.of());
    }

    /** The command line or a local input is wrong. */
    public static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, "USAGE", message);
    }

    /** Machine-readable, UPPER_SNAKE: the service's own code where it gave one. */
    public String code() {
        return code;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** Further lines for a person: every violation, every problem of a rejected dataset. */
    public List<String> details() {
        return details;
    }
}
