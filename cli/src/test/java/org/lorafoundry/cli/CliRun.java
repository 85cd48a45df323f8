package org.lorafoundry.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** One in-process run of the CLI with captured streams: what a test asserts on. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(Map<String, String> environment, String... args) {
        return run(environment, new ByteArrayInputStream(new byte[0]), false, args);
    }

    public static CliRun run(Map<String, String> environment, InputStream stdin, boolean terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FoundryCli.run(args, new CliEnvironment(environment, new PrintWriter(out, true),
                new PrintWriter(err, true), stdin, terminal));
        return new CliRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
