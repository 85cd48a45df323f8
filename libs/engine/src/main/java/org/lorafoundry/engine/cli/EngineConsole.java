package org.lorafoundry.engine.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * What a run of the {@code engine} command sees of the world: standard streams, whether it talks to a terminal (then
 * progress is one redrawn line), and where cancellation comes from. {@link #system()} is the real one; tests build
 * their own to run {@link EngineCli#run} in-process.
 *
 * @param out results (text, or JSON with {@code --json})
 * @param err progress, notes and errors
 * @param in standard input (a prompt or messages given as {@code -})
 * @param terminal whether a person watches a terminal ({@code System.console() != null})
 * @param cancelSignal Ctrl-C, or a test's switch
 */
public record EngineConsole(PrintWriter out, PrintWriter err, InputStream in, boolean terminal,
        CancelSignal cancelSignal) {

    public static EngineConsole system() {
        return new EngineConsole(new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8), System.in, interactive(),
                CancelSignal.ctrlC());
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
