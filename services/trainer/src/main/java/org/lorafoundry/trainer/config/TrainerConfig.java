package org.lorafoundry.trainer.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The worker's settings ({@code foundry.trainer.*}; every one overridable by an environment variable). */
@ConfigMapping(prefix = "foundry.trainer")
public interface TrainerConfig {

    /** Stable worker id; default {@code <host>-<pid>}. */
    Optional<String> workerId();

    /** Take tasks from the queue at start-up (false = the worker only heartbeats as stopped; for maintenance). */
    @WithDefault("true")
    boolean enabled();

    /** {@code cpu}, {@code cuda} or {@code auto} (CUDA when PyTorch sees a GPU, else CPU). */
    @WithDefault("cpu")
    String device();

    /** Local scratch space: per-attempt work directories and the base-model cache. */
    @WithDefault("${java.io.tmpdir}/foundry-trainer")
    Path workDir();

    /** How often the worker announces itself on {@code foundry.workers.heartbeats}. */
    @WithDefault("5s")
    Duration heartbeatInterval();

    /**
     * How often the task's acquisition lock is renewed. Must be well below the group's
     * {@code share.record.lock.duration.ms} (infra/topics.conf: 30 s).
     */
    @WithDefault("10s")
    Duration lockRenewInterval();

    /**
     * Deliveries of one task after which the worker gives up on it and reports TrainingFailed
     * (DELIVERY_LIMIT_EXCEEDED) instead of training: each earlier delivery ended with a worker that died. Keep it
     * below the group's {@code share.delivery.count.limit} so the worker, not the broker, has the last word.
     */
    @WithDefault("3")
    int maxDeliveries();

    /** At most one TrainingProgress per this interval (the first and last steps are always sent). */
    @WithDefault("2s")
    Duration progressInterval();

    /** Checkpoint every N steps when the job does not say (0 = only when the job asks). */
    @WithDefault("50")
    int defaultCheckpointEverySteps();

    /** How long a graceful shutdown waits for a running step to stop before releasing the task anyway. */
    @WithDefault("20s")
    Duration shutdownGrace();

    /** PyTorch intra-op threads (0 = PyTorch's default). */
    @WithDefault("0")
    int threads();
}
