package org.lorafoundry.engine.model;

/** A config.json (or a checkpoint) the engine cannot run: the message says which field and why. */
public class ModelConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelConfigException(String message) {
        super(message);
    }

    public ModelConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
