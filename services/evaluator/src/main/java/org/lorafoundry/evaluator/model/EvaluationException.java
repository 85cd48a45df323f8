package org.lorafoundry.evaluator.model;

import java.util.Objects;

import org.lorafoundry.proto.v1.EvaluationErrorCode;

/** An evaluation that cannot produce a verdict, with the typed code EvaluationFailed carries and a message to act on. */
public final class EvaluationException extends Exception {

    private final EvaluationErrorCode code;

    public EvaluationException(EvaluationErrorCode code, String message) {
        this(code, message, null);
    }

    public EvaluationException(EvaluationErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public EvaluationErrorCode code() {
        return code;
    }
}
