package org.lorafoundry.jobs.service;

import org.lorafoundry.proto.v1.JobRejected;

/**
 * What the intake did with one command, for REST answers and metrics.
 *
 * @param rejection set when {@code outcome} is REJECTED: the same JobRejected that was published
 */
public record IntakeResult(IntakeOutcome outcome, String jobId, JobRejected rejection) {

    static IntakeResult of(IntakeOutcome outcome, String jobId) {
        return new IntakeResult(outcome, jobId, null);
    }
}
