package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Predicate;
import org.lorafoundry.engine.safetensors.TensorSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a Hugging Face model directory ({@code config.json} + {@code model.safetensors} or a sharded
 * {@code model.safetensors.index.json}) into a {@link CausalLanguageModel} of the architecture its {@code model_type}
 * names.
 */
public final class ModelLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLoader.class);

    private ModelLoader() {
    }

    /**
     * Loads with memory-mapped F32 weights (no copy; F16/BF16 are widened into memory of their own). The model's
     * manager is a child of {@code parent}; close the model (or the parent) to free it.
     */
    public static CausalLanguageModel load(Path modelDir, NDManager parent) throws IOException {
        return load(modelDir, parent, true);
    }

    /**
     * @param mapWeights true: F32 tensors are used straight from the mapped file (read-only memory, never written in
     *     place); false: every tensor is copied into memory of its own
     */
    public static CausalLanguageModel load(Path modelDir, NDManager parent, boolean mapWeights) throws IOException {
        if (!Files.isDirectory(modelDir)) {
            throw new ModelConfigException("model directory " + modelDir + " does not exist");
        }
        ModelConfig config = ModelConfig.load(modelDir);
        try (TensorSource source = TensorSource.openModelDirectory(modelDir)) {
            return create(config, source, parent, mapWeights);
        }
    }

    /** Builds the model of {@code config}'s architecture from already opened weights. */
    public static CausalLanguageModel create(ModelConfig config, TensorSource source, NDManager parent,
            boolean mapWeights) {
        return switch (config.architecture()) {
            case GPT2 -> new Gpt2Model(config, source, parent, mapWeights);
            case LLAMA, QWEN2 -> new LlamaModel(config, source, parent, mapWeights);
        };
    }

    static void checkIds(NDArray ids, ModelConfig config) {
        if (ids.getShape().dimension() != 2) {
            throw new IllegalArgumentException("input ids must be [batch, length], got " + ids.getShape());
        }
        if (ids.getDataType() != DataType.INT64) {
            throw new IllegalArgumentException("input ids must be INT64, got " + ids.getDataType());
        }
        if (ids.getShape().get(1) == 0) {
            throw new IllegalArgumentException("input ids are empty");
        }
        try (NDArray max = ids.max(); NDArray min = ids.min()) {
            if (min.getLong() < 0 || max.getLong() >= config.vocabSize()) {
                throw new IllegalArgumentException("token ids must be in [0, " + config.vocabSize() + "), got ["
                        + min.getLong() + ", " + max.getLong() + "]");
            }
        }
    }

    static void warnUnused(TensorSource source, Weights weights, Predicate<String> ignorable) {
        Set<String> unused = weights.unused(ignorable);
        if (!unused.isEmpty()) {
            LOG.warn("{} tensors of {} are not used by the model: {}", unused.size(), source.location(),
                    unused.stream().limit(10).toList());
        }
    }
}
