package org.lorafoundry.engine.eval;

/**
 * An evaluation that cannot run as asked: a metric that does not apply to the data, a row without what the metric
 * needs (the message names the file and 1-based line), a reference outside the label set.
 */
public class EvaluationException extends RuntimeException {
    public EvaluationException(String message) {
        super(message);
    }

    public EvaluationException(String message, Throwable cause) {
        super(message, cause);
    }
}
