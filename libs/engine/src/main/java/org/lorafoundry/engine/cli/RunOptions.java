package org.lorafoundry.engine.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Options every subcommand takes: output form and CPU threads. */
final class RunOptions {
    /** DJL reads these when the PyTorch engine starts (the first model load). */
    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    static final String INTEROP_THREADS_PROPERTY = "ai.djl.pytorch.num_interop_threads";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no notes on stderr (results and errors still "
            + "print).")
    boolean quiet;

    @Option(names = "--json", description = "Print the result as JSON on stdout.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads for PyTorch's operators (default: "
            + "PyTorch's choice, usually the number of cores).")
    Integer threads;

    /** Sets the thread counts for the engine's start; an explicit {@code -D} of the same property wins. */
    void applyThreads() {
        if (threads == null) {
            return;
        }
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (System.getProperty(THREADS_PROPERTY) == null) {
            System.setProperty(THREADS_PROPERTY, String.valueOf(threads));
        }
        if (System.getProperty(INTEROP_THREADS_PROPERTY) == null) {
            System.setProperty(INTEROP_THREADS_PROPERTY, "1");
        }
    }
}
