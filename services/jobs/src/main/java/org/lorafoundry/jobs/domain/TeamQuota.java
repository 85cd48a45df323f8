package org.lorafoundry.jobs.domain;

import java.util.Set;

import org.lorafoundry.proto.v1.PriorityClass;

/**
 * A team's share of the worker pool (Kueue-like): how many of its jobs may run and wait at once, its fair-share weight,
 * and the priority classes it may use.
 */
public record TeamQuota(String team, int maxRunning, int maxQueued, double weight, Set<PriorityClass> allowedPriorities) {

    public TeamQuota {
        if (maxRunning < 0 || maxQueued < 0) {
            throw new IllegalArgumentException("quotas must not be negative");
        }
        if (!(weight > 0)) {
            throw new IllegalArgumentException("weight must be > 0");
        }
        allowedPriorities = Set.copyOf(allowedPriorities);
    }
}
