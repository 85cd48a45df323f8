package org.lorafoundry.engine.finetune;

import java.util.List;

/**
 * The run's length, known before the first step (so progress can show an ETA), as Hugging Face's Trainer counts it:
 * an epoch of {@code b} micro-batches takes {@code ceil(b / accumulation)} optimizer steps (its last step takes the
 * micro-batches left; with the token-weighted loss a short step needs no correction); {@code epochs} (fractional
 * allowed) gives {@code ceil(epochs * steps per epoch)} steps; {@code maxSteps} gives exactly that many, cycling
 * through the data as often as needed. Warmup: {@code warmupSteps} when > 0, else {@code ceil(total * warmupRatio)}.
 *
 * @param totalSteps optimizer steps of the run
 * @param warmupSteps warmup steps
 * @param epochsToIterate epochs the training batches must provide ({@link Integer#MAX_VALUE} with {@code maxSteps})
 */
record TrainingPlan(int totalSteps, int warmupSteps, int epochsToIterate) {

    /**
     * @param batchesPerEpoch micro-batches of each epoch, for at least {@code ceil(epochs)} epochs (with packing they
     *     differ from epoch to epoch)
     */
    static TrainingPlan of(FineTuneSpec spec, List<Integer> batchesPerEpoch) {
        int total;
        int epochs;
        if (spec.maxSteps() > 0) {
            total = spec.maxSteps();
            epochs = Integer.MAX_VALUE;
        } else {
            int full = (int) Math.floor(spec.epochs());
            double fraction = spec.epochs() - full;
            long steps = 0;
            for (int e = 0; e < full; e++) {
                steps += stepsOf(batchesPerEpoch.get(e), spec.gradientAccumulationSteps());
            }
            if (fraction > 0) {
                steps += (long) Math.ceil(fraction
                        * stepsOf(batchesPerEpoch.get(full), spec.gradientAccumulationSteps()));
            }
            if (steps > Integer.MAX_VALUE) {
                throw new FineTuneException(FineTuneException.Code.UNSUPPORTED_CONFIG, "the run would take " + steps
                        + " optimizer steps; fewer epochs or larger batches");
            }
            total = (int) Math.max(1, steps);
            epochs = (int) Math.ceil(spec.epochs());
        }
        int warmup = spec.warmupSteps() > 0 ? spec.warmupSteps() : (int) Math.ceil(total * spec.warmupRatio());
        return new TrainingPlan(total, warmup, epochs);
    }

    /** Epochs whose batch counts {@link #of} needs. */
    static int epochsToCount(FineTuneSpec spec) {
        return spec.maxSteps() > 0 ? 0 : (int) Math.ceil(spec.epochs());
    }

    private static long stepsOf(int batches, int accumulation) {
        return (batches + accumulation - 1) / accumulation;
    }
}
