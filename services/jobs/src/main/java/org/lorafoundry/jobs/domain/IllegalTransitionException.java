package org.lorafoundry.jobs.domain;

import org.lorafoundry.proto.v1.JobState;

/** A transition the job state machine does not allow (stale or duplicate event, or a bug). */
public final class IllegalTransitionException extends IllegalStateException {

    public IllegalTransitionException(String jobId, JobState from, JobState to) {
        super("Job " + jobId + " cannot move from " + from + " to " + to);
    }
}
