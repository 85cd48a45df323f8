package org.lorafoundry.engine.cli;

import java.io.PrintWriter;

/**
 * Progress for a person, on stderr (stdout keeps the results): one line redrawn in place on a terminal, plain lines
 * elsewhere (a log file, a CI job), nothing with {@code --quiet}. Notes about what a command does go through here
 * too, so {@code --quiet} silences them all; errors do not.
 */
final class ProgressDisplay {
    /** How progress is shown. */
    enum Mode {
        /** A terminal: one line, rewritten with a carriage return. */
        REDRAWN,
        /** No terminal: each report is a line of its own (callers report less often). */
        LINES,
        /** {@code --quiet}. */
        QUIET
    }

    /** A terminal redraws at most this often (a fast loop would otherwise spend its time printing). */
    private static final long REDRAW_INTERVAL_NANOS = 100_000_000L;
    static final int BAR_WIDTH = 24;

    private final PrintWriter err;
    private final Mode mode;
    private int redrawnWidth;
    private long lastRedraw;

    ProgressDisplay(PrintWriter err, Mode mode) {
        this.err = err;
        this.mode = mode;
    }

    static ProgressDisplay of(EngineConsole console, boolean quiet) {
        return new ProgressDisplay(console.err(), quiet ? Mode.QUIET : console.terminal() ? Mode.REDRAWN : Mode.LINES);
    }

    Mode mode() {
        return mode;
    }

    /** Rewrites the progress line (terminals only); unless {@code force}, at most every 100 ms. */
    void redraw(String text, boolean force) {
        if (mode != Mode.REDRAWN) {
            return;
        }
        long now = System.nanoTime();
        if (!force && redrawnWidth > 0 && now - lastRedraw < REDRAW_INTERVAL_NANOS) {
            return;
        }
        lastRedraw = now;
        err.print("\r" + text + " ".repeat(Math.max(0, redrawnWidth - text.length())));
        err.flush();
        redrawnWidth = text.length();
    }

    /** A line that stays; on a terminal it is printed above the progress line, which the next redraw restores. */
    void line(String text) {
        if (mode == Mode.QUIET) {
            return;
        }
        if (redrawnWidth > 0) {
            err.print("\r" + " ".repeat(redrawnWidth) + "\r");
            redrawnWidth = 0;
            lastRedraw = 0;
        }
        err.println(text);
        err.flush();
    }

    /** Ends the progress line, so that what follows starts on a line of its own. */
    void finish() {
        if (redrawnWidth > 0) {
            err.println();
            err.flush();
            redrawnWidth = 0;
        }
    }

    /** {@code [#########---------------] } for a fraction in [0, 1]. */
    static String bar(double fraction) {
        int filled = (int) Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    }
}
