package org.lorafoundry.engine.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code engine} command's entry point: parses the command line (picocli), runs the subcommand, prints a failure
 * as {@code error: <CODE>: <message>} and exits with the code {@link ExitCode} documents.
 */
public final class EngineCli {
    /** Loggers of the engine and DJL: warnings and errors only, on stderr, unless the user chose otherwise. */
    private static final String[][] LOG_DEFAULTS = {
        {"org.slf4j.simpleLogger.defaultLogLevel", "warn"},
        {"org.slf4j.simpleLogger.logFile", "System.err"},
        // DJL probes for CUDA on every start and warns on CPU-only machines that it found none.
        {"org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error"},
    };

    private EngineCli() {
    }

    public static void main(String[] args) {
        for (String[] d : LOG_DEFAULTS) {
            if (System.getProperty(d[0]) == null) {
                System.setProperty(d[0], d[1]);
            }
        }
        System.exit(run(args, EngineConsole.system()));
    }

    /** Runs one command line in this JVM and returns its exit code (tests call this with their own console). */
    public static int run(String[] args, EngineConsole console) {
        CommandLine commandLine = commandLine(console);
        try {
            String[] expanded = ConfigFileArguments.expand(args, commandLine.getSubcommands().get("train")
                    .getCommandSpec());
            return commandLine.execute(expanded);
        } catch (ParameterException e) {
            return usageError(e, args);
        } catch (CliFailure failure) {
            return report(console, failure);
        } catch (OutOfMemoryError e) {
            return report(console, CliFailure.of(e));
        } finally {
            console.out().flush();
            console.err().flush();
        }
    }

    /** The parser, without running anything (tests map options to specs with it). */
    static CommandLine commandLine(EngineConsole console) {
        return new CommandLine(new EngineCommand(console))
                .setOut(console.out())
                .setErr(console.err())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(EngineCli::usageError)
                .setExecutionExceptionHandler((error, failed, parsed) -> report(console, CliFailure.of(error)));
    }

    private static int usageError(ParameterException error, String[] args) {
        CommandLine failed = error.getCommandLine();
        PrintWriter err = failed.getErr();
        err.println("error: USAGE: " + error.getMessage());
        UnmatchedArgumentException.printSuggestions(error, err);
        err.println("Run '" + failed.getCommandSpec().qualifiedName() + " --help' for its usage.");
        err.flush();
        return ExitCode.USAGE.code();
    }

    private static int report(EngineConsole console, CliFailure failure) {
        PrintWriter err = console.err();
        err.println("error: " + failure.code() + ": " + failure.getMessage());
        failure.details().forEach(detail -> err.println("  " + detail));
        if (failure.exitCode() == ExitCode.INTERNAL && failure.getCause() != null) {
            failure.getCause().printStackTrace(err);
        }
        err.flush();
        return failure.exitCode().code();
    }
}
