package org.lorafoundry.engine.train;

/** Progress of a training run, called on the training thread after every optimizer step. */
@FunctionalInterface
public interface TrainingListener {
    TrainingListener NONE = m -> { };

    void onStep(StepMetrics metrics);
}
