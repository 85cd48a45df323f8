package org.lorafoundry.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * What a run of the CLI sees of the world: environment variables, standard streams, whether stdout is a terminal.
 * {@link #system()} is the real one; tests pass their own to drive {@link FoundryCli#run} in-process.
 */
public record CliEnvironment(Map<String, String> variables, PrintWriter out, PrintWriter err, InputStream in,
        boolean terminal) {

    public CliEnvironment {
        variables = Map.copyOf(variables);
    }

    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                System.in, interactive());
    }

    private static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // From JDK 22 System.console() exists even when output is redirected; isTerminal() tells them apart.
            return (boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // JDK 17-21: a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
