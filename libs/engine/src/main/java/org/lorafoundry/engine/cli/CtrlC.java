package org.lorafoundry.engine.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) as a {@link CancelSignal}. Java's default reaction is to shut the JVM down at once, which would stop
 * training mid-step; while a watch is open this handler replaces it: the first Ctrl-C only raises the flag the command
 * polls between steps, a second one halts the process immediately (checkpoints are written atomically, so that leaves
 * no half-written files under their real names). {@code sun.misc.Signal} (module {@code jdk.unsupported}) is the
 * JDK's only way to handle a signal without starting shutdown.
 */
final class CtrlC implements CancelSignal {
    private static final Signal SIGINT = new Signal("INT");

    @Override
    public Watch watch(Runnable onFirstRequest) {
        AtomicBoolean requested = new AtomicBoolean();
        SignalHandler handler = signal -> {
            if (requested.compareAndSet(false, true)) {
                onFirstRequest.run();
            } else {
                Runtime.getRuntime().halt(ExitCode.CANCELLED.code());
            }
        };
        SignalHandler previous;
        try {
            previous = Signal.handle(SIGINT, handler);
        } catch (IllegalArgumentException e) {
            // SIGINT is not ours to handle (e.g. java -Xrs): Ctrl-C keeps its default effect.
            previous = null;
        }
        SignalHandler restore = previous;
        return new Watch() {
            @Override
            public boolean getAsBoolean() {
                return requested.get();
            }

            @Override
            public void close() {
                if (restore != null) {
                    Signal.handle(SIGINT, restore);
                }
            }
        };
    }
}
