package org.lorafoundry.engine.train;

import java.util.List;

/**
 * How a run ended.
 *
 * @param steps metrics of every optimizer step taken, in order
 * @param cancelled whether it stopped because cancellation was requested (between steps)
 * @param exhausted whether it stopped because the micro-batches ran out before {@code maxSteps}
 */
public record TrainingResult(List<StepMetrics> steps, boolean cancelled, boolean exhausted) {
    public TrainingResult {
        steps = List.copyOf(steps);
    }

    public int stepsTaken() {
        return steps.size();
    }
}
