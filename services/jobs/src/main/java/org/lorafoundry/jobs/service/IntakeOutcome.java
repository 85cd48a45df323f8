package org.lorafoundry.jobs.service;

/** What the intake did with one command (also the {@code outcome} tag of the command counter). */
public enum IntakeOutcome {
    /** A new job was stored and JobAccepted published. */
    ACCEPTED,
    /** The same job id with the same spec: answered with JobAccepted(duplicate = true), nothing new stored. */
    DUPLICATE_JOB,
    /** The command was refused with a typed JobRejected. */
    REJECTED,
    /** A job not yet on a worker was cancelled. */
    CANCELLED,
    /** A job on a worker was asked to stop (CANCEL_REQUESTED; CANCELLED follows when the worker confirms). */
    CANCEL_REQUESTED,
    /** The event id was applied before (redelivery): nothing done. */
    ALREADY_APPLIED
}
