package org.lorafoundry.engine.eval;

/**
 * How far an evaluation is: {@code done} of {@code total} examples in the current phase.
 *
 * @param phase the loss pass comes first, then generation
 */
public record EvaluationProgress(Phase phase, int done, int total) {
    public enum Phase {
        /** Teacher-forced forward passes for loss and perplexity. */
        LOSS,
        /** One generation per example, for the metrics on generated text. */
        GENERATION
    }
}
