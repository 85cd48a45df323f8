package org.lorafoundry.cli;

import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code foundry} command's entry point: parses the command line (picocli), runs the command, prints any failure
 * as {@code error: <CODE>: <message>} and exits with the code {@link ExitCode} documents.
 */
public final class FoundryCli {

    private FoundryCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, CliEnvironment.system()));
    }

    /** Runs one command line in this JVM; returns its exit code (tests call this with captured streams). */
    public static int run(String[] args, CliEnvironment environment) {
        FoundryCommand root = new FoundryCommand(environment);
        CommandLine commandLine = new CommandLine(root)
                .setOut(environment.out())
                .setErr(environment.err())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(FoundryCli::usageError)
                .setExecutionExceptionHandler((error, failed, parsed) -> failure(root, error));
        try {
            return commandLine.execute(args);
        } finally {
            environment.out().flush();
            environment.err().flush();
        }
    }

    private static int usageError(ParameterException error, String[] args) {
        CommandLine failed = error.getCommandLine();
        java.io.PrintWriter err = failed.getErr();
        err.println("error: USAGE: " + error.getMessage());
        UnmatchedArgumentException.printSuggestions(error, err);
        err.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for its usage.");
        err.flush();
        return ExitCode.USAGE.code();
    }

    private static int failure(FoundryCommand root, Exception error) {
        if (error instanceof CliException expected) {
            root.output().error(expected);
            return expected.exitCode().code();
        }
        // A bug of the CLI, not something the person did: say so, with the trace for the report.
        CliException internal = new CliException(ExitCode.USAGE, "INTERNAL", "Unexpected " + error.getClass().getName()
                + (error.getMessage() == null ? "" : ": " + error.getMessage()) + " (a bug of the CLI; the trace follows)",
                List.of());
        root.output().error(internal);
        error.printStackTrace(root.environment().err());
        return internal.exitCode().code();
    }
}
