package org.lorafoundry.engine.eval;

/** Receives progress while {@link ModelEvaluation} runs (on its thread, after each batch or example). */
@FunctionalInterface
public interface EvaluationListener {
    EvaluationListener NONE = p -> {
    };

    void onProgress(EvaluationProgress progress);
}
