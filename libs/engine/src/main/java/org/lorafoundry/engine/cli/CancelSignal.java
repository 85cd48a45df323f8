package org.lorafoundry.engine.cli;

import java.util.function.BooleanSupplier;

/**
 * Where a request to stop a long command comes from: Ctrl-C for people ({@link #ctrlC()}); tests pass a switch of
 * their own. Commands ask between units of work (training steps), so what they stop leaves consistent files.
 */
public interface CancelSignal {

    /**
     * Listens for requests until the returned watch is closed.
     *
     * @param onFirstRequest run once, when the first request arrives (on whatever thread delivers it)
     */
    Watch watch(Runnable onFirstRequest);

    /** Whether a request arrived since the watch began; closing it stops listening. */
    interface Watch extends BooleanSupplier, AutoCloseable {
        @Override
        void close();
    }

    /** SIGINT: the first Ctrl-C requests a cooperative stop, a second one ends the process at once. */
    static CancelSignal ctrlC() {
        return new CtrlC();
    }

    /** Never requests anything (a command that cannot be cancelled, or a caller with no terminal). */
    static CancelSignal none() {
        return onFirstRequest -> new Watch() {
            @Override
            public boolean getAsBoolean() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }
}
