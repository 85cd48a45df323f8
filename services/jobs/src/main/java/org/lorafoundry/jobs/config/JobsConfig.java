package org.lorafoundry.jobs.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the jobs service ({@code foundry.jobs.*}); every one has an environment override. */
@ConfigMapping(prefix = "foundry.jobs")
public interface JobsConfig {

    /** How often the scheduler looks for free slots and overdue work. */
    @WithDefault("1s")
    Duration schedulerInterval();

    /**
     * A worker silent this long is gone: its slots no longer count. Its job is not re-dispatched by jobs: the task stays
     * in the trainers' share group, whose lock expires and hands it to another worker (a new attempt, DESIGN.md).
     */
    @WithDefault("30s")
    Duration workerTimeout();

    /** A cancellation the worker has not confirmed within this time ends as CANCELLED anyway (the worker is gone). */
    @WithDefault("60s")
    Duration cancelTimeout();

    /** Dispatches of one job before it fails with ATTEMPTS_EXHAUSTED. */
    @WithDefault("3")
    int maxAttempts();

    /** Used for estimated start times until enough jobs have finished to measure it. */
    @WithDefault("15m")
    Duration typicalJobDuration();

    /** Optional YAML file of teams loaded at start ({@code teams: [{name, maxRunning, maxQueued, weight, priorities}]}). */
    Optional<String> teamsFile();

    /** Quota given to the teams of {@code foundry.teams} that the teams file does not describe. */
    DefaultQuota defaultQuota();

    interface DefaultQuota {
        @WithDefault("2")
        int maxRunning();

        @WithDefault("50")
        int maxQueued();

        @WithDefault("1.0")
        double weight();

        @WithDefault("LOW,NORMAL,HIGH")
        List<String> priorities();
    }
}
