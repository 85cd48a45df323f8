package org.lorafoundry.trainer.service;

import org.lorafoundry.proto.v1.TrainingErrorCode;

/** An attempt that cannot finish, with the typed code and a message a person can act on (becomes TrainingFailed). */
public class TrainingFailure extends Exception {

    private final TrainingErrorCode code;

    public TrainingFailure(TrainingErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public TrainingFailure(TrainingErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public TrainingErrorCode code() {
        return code;
    }
}
