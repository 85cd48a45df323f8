package org.lorafoundry.registry.service;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Validates a Hugging Face model directory before it is registered as a base model and reads what the platform needs
 * from it: architecture, config summary (including the linear modules a LoRA can target), parameter count, and every
 * file with its SHA-256 (the manifest checksum that pins the exact weights).
 *
 * <p>The seam for the LoRA engine (libs/engine, issue 8): today {@link ConfigFileInspector} reads config.json,
 * tokenizer.json and the safetensors headers without loading weights. An engine-backed inspector that also loads the
 * model (architecture supported by the engine, tokenizer loadable) replaces it by being a bean of this type:
 * {@code ConfigFileInspector} is a {@code @DefaultBean}, so any other implementation wins without touching callers.
 */
public interface BaseModelInspector {

    /**
     * @param directory an existing directory (the caller checked the location's scheme and allowed roots)
     * @throws BaseModelInvalidException when the directory is not a usable model, with a message a person can act on
     * @throws IOException                when it cannot be read for another reason (worth retrying)
     */
    ModelInspection inspect(Path directory) throws BaseModelInvalidException, IOException;
}
