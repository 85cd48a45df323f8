package org.lorafoundry.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

/** A real SIGINT, delivered to this JVM while the watch is open, only raises the flag. */
class CtrlCTest {

    @Test
    void ctrlCRequestsCancellationInsteadOfEndingTheProcess() throws InterruptedException {
        AtomicInteger told = new AtomicInteger();
        try (CancelSignal.Watch watch = CancelSignal.ctrlC().watch(told::incrementAndGet)) {
            assertThat(watch.getAsBoolean()).isFalse();
            Signal.raise(new Signal("INT"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!watch.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(watch.getAsBoolean()).isTrue();
            assertThat(told).hasValue(1);
        }
    }

    @Test
    void noneNeverRequests() {
        try (CancelSignal.Watch watch = CancelSignal.none().watch(() -> {
            throw new AssertionError("never called");
        })) {
            assertThat(watch.getAsBoolean()).isFalse();
        }
    }
}
