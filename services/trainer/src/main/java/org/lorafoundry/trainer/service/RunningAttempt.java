package org.lorafoundry.trainer.service;

import java.util.concurrent.atomic.AtomicLong;

/** The attempt this worker is running: what heartbeats announce and what CancelTraining is matched against. */
public record RunningAttempt(String jobId, String attemptId, String team, StopSignal stop, AtomicLong step) {

    /** Whether a CancelTraining for {@code jobId} / {@code attemptId} (empty = any attempt) is meant for this one. */
    public boolean matches(String cancelJobId, String cancelAttemptId) {
        return jobId.equals(cancelJobId) && (cancelAttemptId.isEmpty() || attemptId.equals(cancelAttemptId));
    }
}
