package org.lorafoundry.engine.eval;

/** Why a generation ended. */
public enum FinishReason {
    /** The model generated an end-of-sequence token (one of {@link EosTokens}); it is the last token id. */
    EOS,
    /** The decoded text contained a stop sequence; the text is cut before it. */
    STOP_SEQUENCE,
    /** {@code maxNewTokens} tokens were generated. */
    MAX_TOKENS,
    /**
     * Prompt and generated tokens fill the model's context (GPT-2's {@code n_positions}: it has no position
     * embedding beyond); Llama and Qwen2 (RoPE) have no such limit here, as in transformers.
     */
    CONTEXT_FULL
}
