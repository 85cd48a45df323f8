package org.lorafoundry.engine.train;

/**
 * Learning-rate multipliers as Hugging Face's {@code get_*_schedule_with_warmup} compute them (the {@code lr_lambda}
 * of {@code transformers.optimization}), for the optimizer step {@code step} (0-based: the first step uses
 * {@code factor(0)}, which is 0 with warmup, as in transformers).
 */
public enum LrSchedule {
    /** {@code get_constant_schedule_with_warmup}. */
    CONSTANT,
    /** {@code get_linear_schedule_with_warmup}: up over the warmup, then linearly to 0 at {@code totalSteps}. */
    LINEAR,
    /** {@code get_cosine_schedule_with_warmup} with {@code num_cycles=0.5}: half a cosine from 1 to 0. */
    COSINE;

    public double factor(int step, int warmupSteps, int totalSteps) {
        if (step < warmupSteps) {
            return (double) step / Math.max(1, warmupSteps);
        }
        switch (this) {
            case CONSTANT:
                return 1.0;
            case LINEAR:
                return Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
            case COSINE:
                double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
                return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            default:
                throw new AssertionError(this);
        }
    }

    /** {@code linear}, {@code cosine}, {@code constant} (transformers' {@code lr_scheduler_type} names). */
    public static LrSchedule parse(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "linear":
                return LINEAR;
            case "cosine":
                return COSINE;
            case "constant":
            case "constant_with_warmup":
                return CONSTANT;
            default:
                throw new IllegalArgumentException("unknown learning-rate schedule '" + name
                        + "' (supported: linear, cosine, constant)");
        }
    }
}
