package org.lorafoundry.jobs.persistence;

import org.lorafoundry.proto.v1.JobState;

/**
 * One stored state change of a job.
 *
 * @param from         null for the first transition (to SUBMITTED)
 * @param cause        machine-readable cause: the triggering event type or an internal reason
 * @param actor        {@code team:<team>}, {@code worker:<id>}, {@code service:jobs}, ...
 * @param causeEventId the triggering record's event id, when there is one
 */
public record JobTransition(String jobId, JobState from, JobState to, String cause, String actor, String causeEventId) {
}
