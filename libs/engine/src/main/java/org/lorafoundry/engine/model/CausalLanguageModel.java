package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.lorafoundry.engine.nn.ForwardContext;

/**
 * A loaded decoder-only language model: token ids in, next-token logits out, fp32. Weights are frozen and owned by
 * {@link #manager()}; each forward pass runs in a sub-manager that is closed before it returns, so only the logits
 * remain, attached to the manager of the input ids.
 */
public interface CausalLanguageModel extends AutoCloseable {

    ModelConfig config();

    /** The linear projections under their Hugging Face module names. */
    ModuleRegistry modules();

    /**
     * Logits {@code [B, T, vocab]} (FLOAT32) for ids {@code [B, T]} (INT64), positions 0..T-1, causal attention.
     */
    default NDArray forward(NDArray inputIds) {
        return forward(inputIds, null);
    }

    /**
     * As {@link #forward(NDArray)}, with {@code attentionMask} {@code [B, T]} (1 = token, 0 = padding) masking padded
     * keys; positions stay 0..T-1, so pad on the right.
     */
    default NDArray forward(NDArray inputIds, NDArray attentionMask) {
        return forward(inputIds, attentionMask, ForwardContext.BASE);
    }

    /**
     * As {@link #forward(NDArray, NDArray)}, with what the context chooses: the adapter whose LoRA deltas the
     * projections add and whose replacement parameters ({@code bias="all"}, {@code modules_to_save}) are used.
     * {@code attentionMask} may be null.
     */
    NDArray forward(NDArray inputIds, NDArray attentionMask, ForwardContext context);

    /**
     * Logits {@code [B, T, vocab]} for ids {@code [B, T]} that continue the tokens {@code cache} holds: positions
     * {@code cache.length()..cache.length()+T-1}, attending to the cached keys and values and, causally, to their
     * own; their keys and values are appended to the cache (only if the pass succeeds). For generation: prefill the
     * prompt, then one token at a time; the logits equal those of {@link #forward(NDArray, NDArray, ForwardContext)}
     * on the whole sequence up to float rounding. Rows are not padded (no attention mask); inference passes only.
     */
    NDArray forwardWithCache(NDArray inputIds, KvCache cache, ForwardContext context);

    /** An empty KV cache for this model, its arrays in a sub-manager of {@code parent}; close it to free them. */
    default KvCache newKvCache(NDManager parent) {
        return KvCache.create(this, parent);
    }

    /** Owner of the weights. */
    NDManager manager();

    /** Number of parameters (a tied head counted once), as transformers' {@code num_parameters()}. */
    long parameterCount();

    /** Frees the weights. */
    @Override
    void close();
}
