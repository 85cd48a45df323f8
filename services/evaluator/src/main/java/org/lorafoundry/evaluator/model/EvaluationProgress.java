package org.lorafoundry.evaluator.model;

/** Progress reports of a running evaluation (logged; never required for correctness). */
@FunctionalInterface
public interface EvaluationProgress {

    /** Nothing listens. */
    EvaluationProgress IGNORED = (phase, done, total) -> {
    };

    /**
     * @param phase e.g. "validation loss", "generation", "reference perplexity (base)"
     * @param done  units done in this phase (examples)
     * @param total units of this phase
     */
    void report(String phase, long done, long total);
}
