package org.lorafoundry.registry.service;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Validates a Hugging Face model directory before it is registered as a base model and reads what the platform needs
 * from it: architecture, config summary (including the linear modules a LoRA can target), parameter count, and every
 * file with its SHA-256 (the manifest checksum that pins the exact weights).
 *
 * <p>{@link EngineModelInspector} does it with the LoRA engine's readers. It is a {@code @DefaultBean}, so another
 * implementation (e.g. one that also loads the weights on a machine with the memory for it) replaces it by being a
 * bean of this type, without touching callers.
 */
public interface BaseModelInspector {

    /**
     * @param directory an existing directory (the caller checked the location's scheme and allowed roots)
     * @throws BaseModelInvalidException when the directory is not a usable model, with a message a person can act on
     * @throws IOException                when it cannot be read for another reason (worth retrying)
     */
    ModelInspection inspect(Path directory) throws BaseModelInvalidException, IOException;
}
