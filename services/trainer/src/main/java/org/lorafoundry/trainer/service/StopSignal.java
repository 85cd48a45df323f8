package org.lorafoundry.trainer.service;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Why a running attempt must stop, set from other threads (the control consumer, the lock holder, shutdown) and read by
 * the training loop between steps. The first reason wins: a cancellation that arrives after the lock was lost changes
 * nothing.
 */
public final class StopSignal {

    /** What stopped the attempt decides what the worker does with the task afterwards. */
    public enum Kind {
        /** CancelTraining for this job: publish TrainingCancelled, acknowledge the task. */
        CANCELLED,
        /** Graceful worker shutdown: release the task so another worker resumes from the latest checkpoint. */
        SHUTDOWN,
        /** The acquisition lock could not be renewed: another worker may hold the task now; publish nothing more. */
        LOCK_LOST
    }

    public record Reason(Kind kind, String detail) {
    }

    private final AtomicReference<Reason> reason = new AtomicReference<>();

    public void stop(Kind kind, String detail) {
        reason.compareAndSet(null, new Reason(kind, detail));
    }

    public boolean requested() {
        return reason.get() != null;
    }

    public Optional<Reason> reason() {
        return Optional.ofNullable(reason.get());
    }
}
