package org.lorafoundry.engine.cli;

/**
 * The {@code engine} command's exit codes, so scripts can branch on what went wrong without parsing messages. The
 * table is in {@code libs/engine/README.md} ("Command line"); keep both in step.
 */
public enum ExitCode {
    /** Done. */
    OK(0),
    /** The command line is wrong (unknown option, missing or invalid value); nothing ran. */
    USAGE(1),
    /** An input cannot be used: a missing or unreadable file, a bad JSONL row, a model or adapter that won't load. */
    BAD_INPUT(2),
    /** Valid input the engine does not run: an architecture, a LoRA feature, a metric that does not apply. */
    UNSUPPORTED(3),
    /** Training diverged (loss or gradient norm NaN/Inf). */
    DIVERGED(4),
    /** Writing the output (adapter, checkpoint, merged model) failed. */
    STORAGE(5),
    /** Host (or device) memory ran out. */
    OUT_OF_MEMORY(6),
    /** A bug of the engine or of this command line (the stack trace is printed). sysexits' EX_SOFTWARE. */
    INTERNAL(70),
    /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
    CANCELLED(130);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
