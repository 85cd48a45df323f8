package org.lorafoundry.evaluator.model;

/**
 * The model side of an evaluation: loads the base model with the candidate adapter (and the baseline), runs the
 * evaluation and reference data through them and returns the metrics. Knows nothing about Kafka, the database, blobs
 * or gates: every input is a local, checksum-verified file or directory by the time it is called.
 *
 * <p>{@link EngineModelEvaluator} is the implementation (the LoRA engine); tests may replace it with an
 * {@code @Alternative}.
 */
public interface ModelEvaluator {

    /**
     * Computes {@link EvaluationInputs#metrics()} for the candidate and, unless the baseline is
     * {@link BaselineModel.None}, for the baseline. Called on a worker thread; may take minutes.
     *
     * @throws EvaluationException with the code a person can act on (unloadable adapter or base model, unreadable data,
     *                             out of memory); anything else thrown becomes an INTERNAL failure
     */
    ModelEvaluation evaluate(EvaluationInputs inputs, EvaluationProgress progress) throws EvaluationException;
}
