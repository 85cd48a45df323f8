package org.lorafoundry.engine.model;

import java.nio.file.Path;
import java.util.List;

/** A checkpoint whose {@code model_type} the engine does not run; the message lists the supported ones. */
public class UnsupportedArchitectureException extends ModelConfigException {
    private static final long serialVersionUID = 1L;

    private final String modelType;

    public UnsupportedArchitectureException(String modelType, Path configFile) {
        super("unsupported model_type '" + modelType + "'" + (configFile == null ? "" : " in " + configFile)
                + "; supported architectures: " + String.join(", ", Architecture.supportedModelTypes()));
        this.modelType = modelType;
    }

    /** The rejected {@code model_type} (may be null when config.json had none). */
    public String modelType() {
        return modelType;
    }

    public List<String> supported() {
        return Architecture.supportedModelTypes();
    }
}
