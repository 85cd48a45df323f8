package org.lorafoundry.engine.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process run of the {@code engine} command: exit code and what it printed. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        return run(CancelSignal.none(), "", args);
    }

    static CliRun run(CancelSignal cancel, String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        EngineConsole console = new EngineConsole(new PrintWriter(out, true), new PrintWriter(err, true),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false, cancel);
        int code = EngineCli.run(args, console);
        return new CliRun(code, out.toString(), err.toString());
    }

    static CliRun run(List<String> args) {
        return run(args.toArray(String[]::new));
    }

    /** A console that prints nowhere, for parsing only. */
    static EngineConsole quietConsole() {
        return new EngineConsole(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()),
                new ByteArrayInputStream(new byte[0]), false, CancelSignal.none());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
