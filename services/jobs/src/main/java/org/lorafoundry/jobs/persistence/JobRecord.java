package org.lorafoundry.jobs.persistence;

import java.time.Instant;

import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;

/**
 * A stored job.
 *
 * @param submittedSpec the spec as submitted (job id filled in), to tell identical resubmissions from conflicting ones
 * @param spec          the normalised spec (defaults filled): what runs
 */
public record JobRecord(String jobId, String team, JobState state, JobSpec submittedSpec, JobSpec spec,
        String commandEventId, int attempt, Instant submittedAt) {
}
