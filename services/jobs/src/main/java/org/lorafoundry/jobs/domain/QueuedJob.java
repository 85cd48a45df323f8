package org.lorafoundry.jobs.domain;

import java.time.Instant;

import org.lorafoundry.proto.v1.PriorityClass;

/** A job waiting for a worker slot, as the scheduler sees it. */
public record QueuedJob(String jobId, String team, PriorityClass priority, Instant queuedAt) {
}
