package org.lorafoundry.engine.train;

/**
 * What a LoRA training run does, with transformers' {@code TrainingArguments} meanings: AdamW as
 * {@code torch.optim.AdamW} ({@code learningRate}, {@code beta1}, {@code beta2}, {@code epsilon}, decoupled
 * {@code weightDecay} on the tensors {@link WeightDecayGroups} decays), clipping by global norm ({@code maxGradNorm};
 * 0 = off), a schedule with {@code warmupSteps} over {@code maxSteps} optimizer steps, and
 * {@code gradientAccumulationSteps} micro-batches per optimizer step.
 *
 * @param seed what {@code lora_dropout}'s masks derive from (with the step and micro-batch: see {@link DropoutSeeds})
 * @param klWeight weight of the forgetting term {@code KL(base || adapter)} on reference batches (0 = not trained on;
 *     it is still measured when reference batches are given)
 */
public record TrainingConfig(double learningRate, double weightDecay, double beta1, double beta2, double epsilon,
        double maxGradNorm, int warmupSteps, int maxSteps, LrSchedule schedule, int gradientAccumulationSteps,
        long seed, double klWeight) {

    public TrainingConfig {
        require(learningRate >= 0 && Double.isFinite(learningRate), "learningRate must be >= 0: " + learningRate);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be >= 0: " + weightDecay);
        require(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1): " + beta1);
        require(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1): " + beta2);
        require(epsilon > 0, "epsilon must be > 0: " + epsilon);
        require(maxGradNorm >= 0 && !Double.isNaN(maxGradNorm), "maxGradNorm must be >= 0 (0 = no clipping): "
                + maxGradNorm);
        require(maxSteps >= 1, "maxSteps must be >= 1: " + maxSteps);
        require(warmupSteps >= 0, "warmupSteps must be >= 0: " + warmupSteps);
        require(gradientAccumulationSteps >= 1, "gradientAccumulationSteps must be >= 1: " + gradientAccumulationSteps);
        require(klWeight >= 0 && Double.isFinite(klWeight), "klWeight must be >= 0: " + klWeight);
        if (schedule == null) {
            throw new IllegalArgumentException("schedule must not be null");
        }
    }

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double learningRateAt(int step) {
        return learningRate * schedule.factor(step, warmupSteps, maxSteps);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** transformers' defaults ({@code learning_rate} 5e-5 aside: 2e-4, a usual LoRA rate). */
    public static final class Builder {
        private double learningRate = 2e-4;
        private double weightDecay = 0.0;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private int warmupSteps;
        private int maxSteps = 100;
        private LrSchedule schedule = LrSchedule.LINEAR;
        private int gradientAccumulationSteps = 1;
        private long seed = 42;
        private double klWeight;

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder maxSteps(int v) {
            maxSteps = v;
            return this;
        }

        public Builder schedule(LrSchedule v) {
            schedule = v;
            return this;
        }

        public Builder gradientAccumulationSteps(int v) {
            gradientAccumulationSteps = v;
            return this;
        }

        /** transformers' default seed is 42. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder klWeight(double v) {
            klWeight = v;
            return this;
        }

        public TrainingConfig build() {
            return new TrainingConfig(learningRate, weightDecay, beta1, beta2, epsilon, maxGradNorm, warmupSteps,
                    maxSteps, schedule, gradientAccumulationSteps, seed, klWeight);
        }
    }
}
