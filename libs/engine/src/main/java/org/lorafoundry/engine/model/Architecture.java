package org.lorafoundry.engine.model;

import java.util.Arrays;
import java.util.List;

/** Decoder-only architectures the engine runs, by their Hugging Face {@code model_type}. */
public enum Architecture {
    /** GPT-2: learned positions, LayerNorm, Conv1D ([in, out]) projections with fused q/k/v ({@code c_attn}), gelu_new. */
    GPT2("gpt2"),
    /** Llama: RoPE, RMSNorm, SwiGLU MLP, grouped-query attention, tied or untied embeddings. */
    LLAMA("llama"),
    /** Qwen2: Llama with biases on q/k/v. */
    QWEN2("qwen2");

    private final String modelType;

    Architecture(String modelType) {
        this.modelType = modelType;
    }

    /** The {@code model_type} in config.json. */
    public String modelType() {
        return modelType;
    }

    /** The supported {@code model_type}s, in a stable order. */
    public static List<String> supportedModelTypes() {
        return Arrays.stream(values()).map(Architecture::modelType).toList();
    }

    /** The architecture for a {@code model_type}, or {@link UnsupportedArchitectureException} naming the supported ones. */
    public static Architecture ofModelType(String modelType) {
        for (Architecture a : values()) {
            if (a.modelType.equals(modelType)) {
                return a;
            }
        }
        throw new UnsupportedArchitectureException(modelType, null);
    }
}
