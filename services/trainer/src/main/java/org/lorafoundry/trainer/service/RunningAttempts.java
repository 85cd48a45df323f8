package org.lorafoundry.trainer.service;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/** The one attempt this worker runs at a time (workers have a single slot), shared with the control consumer. */
@ApplicationScoped
public class RunningAttempts {

    private final AtomicReference<RunningAttempt> current = new AtomicReference<>();

    public void started(RunningAttempt attempt) {
        current.set(attempt);
    }

    public void ended(RunningAttempt attempt) {
        current.compareAndSet(attempt, null);
    }

    public Optional<RunningAttempt> current() {
        return Optional.ofNullable(current.get());
    }

    /** Stops the matching attempt, if it runs here; returns whether one did. */
    public boolean cancel(String jobId, String attemptId, String reason) {
        RunningAttempt attempt = current.get();
        if (attempt != null && attempt.matches(jobId, attemptId)) {
            attempt.stop().stop(StopSignal.Kind.CANCELLED, reason);
            return true;
        }
        return false;
    }
}
