package org.lorafoundry.jobs.persistence;

import java.time.Instant;

/** One row of a job's history, as the job API shows it. */
public record JobTransitionRecord(long sequence, String fromState, String toState, String cause, String actor,
        String causeEventId, Instant occurredAt) {
}
