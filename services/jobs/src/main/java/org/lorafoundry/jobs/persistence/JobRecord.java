package org.lorafoundry.jobs.persistence;

import java.time.Instant;

import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;

/**
 * A stored job.
 *
 * @param submittedSpec the spec as submitted (job id filled in), to tell identical resubmissions from conflicting ones
 * @param spec          the normalised spec (defaults filled, dataset version and base model checksum resolved): what runs
 * @param attempt       training attempts dispatched so far (0 before the first)
 * @param attemptId     the current attempt's id (from TrainingStarted); events of other attempts are stale
 */
public record JobRecord(String jobId, String team, JobState state, JobSpec submittedSpec, JobSpec spec,
        String commandEventId, int attempt, String attemptId, String workerId, String errorCode, String errorMessage,
        Instant submittedAt, Instant queuedAt, Instant dispatchedAt, Instant cancelRequestedAt, Instant updatedAt) {

    /** A new job, before its first transition. */
    public static JobRecord submitted(String jobId, String team, JobSpec submittedSpec, JobSpec spec, String eventId) {
        Instant now = Instant.now();
        return new JobRecord(jobId, team, JobState.JOB_STATE_SUBMITTED, submittedSpec, spec, eventId, 0, null, null, null,
                null, now, null, null, null, now);
    }

    public JobRecord withState(JobState newState) {
        return new JobRecord(jobId, team, newState, submittedSpec, spec, commandEventId, attempt, attemptId, workerId,
                errorCode, errorMessage, submittedAt, queuedAt, dispatchedAt, cancelRequestedAt, Instant.now());
    }

    public JobRecord withAttempt(int newAttempt, String newAttemptId, String newWorkerId) {
        return new JobRecord(jobId, team, state, submittedSpec, spec, commandEventId, newAttempt, newAttemptId, newWorkerId,
                errorCode, errorMessage, submittedAt, queuedAt, dispatchedAt, cancelRequestedAt, Instant.now());
    }
}
