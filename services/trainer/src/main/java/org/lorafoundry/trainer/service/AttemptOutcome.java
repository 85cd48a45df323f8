package org.lorafoundry.trainer.service;

/** How a delivery of a task ended, which decides how the worker acknowledges it to the share group. */
public enum AttemptOutcome {
    /** A terminal event (succeeded, failed, cancelled) is durable in the outbox: ACCEPT, the task is done. */
    FINISHED,
    /** The record is not a task (undecodable; already in the dead-letter topic): REJECT, never redeliver. */
    REJECTED,
    /** The worker is shutting down: RELEASE, another worker takes the task now and resumes from a checkpoint. */
    RELEASED,
    /** The lock was lost: acknowledge nothing (a stale acknowledgement could end another worker's attempt). */
    LOCK_LOST
}
