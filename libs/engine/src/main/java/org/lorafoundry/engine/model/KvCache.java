package org.lorafoundry.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Objects;
import org.lorafoundry.engine.nn.ForwardContext;

/**
 * The keys and values of every layer for the tokens a model has already read, so that generation runs each token
 * through the model once: prefill the prompt, then one token at a time
 * ({@link CausalLanguageModel#forwardWithCache}), instead of re-reading the whole sequence for every new token.
 *
 * <p>Keys and values are held per layer as {@code [batch, kv_heads, length, head_dim]} (before grouped-query
 * repetition, after RoPE), in a sub-manager of the manager given at creation; {@link #close()} frees them all.
 *
 * <p>Lifecycle: {@code READY -> IN_PASS -> READY} around each cached forward pass, {@code -> CLOSED} at the end. A pass
 * that fails leaves the cache exactly as it was before the pass. The first pass fixes the batch size and the adapter
 * (keys and values depend on the adapter's LoRA deltas): later passes with another batch size or adapter are refused.
 * Not thread-safe: one generation owns one cache.
 */
public final class KvCache implements AutoCloseable {

    private enum State {
        READY,
        IN_PASS,
        CLOSED
    }

    private final CausalLanguageModel model;
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final NDArray[] pendingKeys;
    private final NDArray[] pendingValues;
    private State state = State.READY;
    private int length;
    private int pendingTokens;
    private long batchSize = -1;
    private String adapter;

    private KvCache(CausalLanguageModel model, NDManager parent) {
        this.model = model;
        this.manager = parent.newSubManager();
        int layers = model.config().numLayers();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.pendingKeys = new NDArray[layers];
        this.pendingValues = new NDArray[layers];
    }

    /** An empty cache for {@code model}, its arrays in a new sub-manager of {@code parent}. */
    public static KvCache create(CausalLanguageModel model, NDManager parent) {
        return new KvCache(Objects.requireNonNull(model, "model"), parent);
    }

    /** Tokens cached so far (the position the next token gets). */
    public int length() {
        return length;
    }

    /** Rows per pass, fixed by the first pass; -1 before it. */
    public long batchSize() {
        return batchSize;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Starts a pass of {@code tokens} new tokens per row; called by the model before its first layer. */
    void begin(CausalLanguageModel caller, long batch, int tokens, ForwardContext context) {
        if (state == State.CLOSED) {
            throw new IllegalStateException("the KV cache is closed");
        }
        if (state == State.IN_PASS) {
            throw new IllegalStateException("the KV cache is already in a forward pass (one generation per cache)");
        }
        if (caller != model) {
            throw new IllegalArgumentException("this KV cache belongs to another model");
        }
        if (context.training()) {
            throw new IllegalArgumentException("KV-cached passes are for inference; training passes run without a"
                    + " cache");
        }
        if (length > 0 && batch != batchSize) {
            throw new IllegalArgumentException("the KV cache holds " + batchSize + " rows; this pass has " + batch);
        }
        if (length > 0 && !Objects.equals(adapter, context.adapter())) {
            throw new IllegalArgumentException("the KV cache was filled with " + describe(adapter) + "; this pass runs "
                    + describe(context.adapter()) + " (keys and values depend on the adapter: use a new cache)");
        }
        batchSize = batch;
        adapter = context.adapter();
        pendingTokens = tokens;
        state = State.IN_PASS;
    }

    private static String describe(String adapter) {
        return adapter == null ? "the base model" : "adapter '" + adapter + "'";
    }

    /**
     * The keys and values of layer {@code layer} through this pass: the cached ones followed by {@code k} and
     * {@code v} ({@code [B, kv_heads, T, D]}). The results belong to the pass's scope (the manager of {@code k}) until
     * {@link #commit()} moves them into the cache, so the ops the pass runs on them stay in its scope.
     */
    NDList extend(int layer, NDArray k, NDArray v) {
        if (state != State.IN_PASS) {
            throw new IllegalStateException("extend outside a pass");
        }
        NDManager scope = k.getManager();
        NDArray fullKeys = keys[layer] == null ? k : NDArrays.concat(new NDList(keys[layer], k), 2);
        NDArray fullValues = values[layer] == null ? v : NDArrays.concat(new NDList(values[layer], v), 2);
        // concat's result belongs to its first operand's manager (the cache's): move it to the pass's scope.
        fullKeys.attach(scope);
        fullValues.attach(scope);
        pendingKeys[layer] = fullKeys;
        pendingValues[layer] = fullValues;
        return new NDList(fullKeys, fullValues);
    }

    /** Ends a successful pass: the extended keys and values replace the cached ones (which are freed). */
    void commit() {
        if (state != State.IN_PASS) {
            throw new IllegalStateException("commit outside a pass");
        }
        for (int i = 0; i < keys.length; i++) {
            if (pendingKeys[i] == null) {
                throw new IllegalStateException("layer " + i + " was not extended in this pass");
            }
        }
        for (int i = 0; i < keys.length; i++) {
            pendingKeys[i].attach(manager);
            pendingValues[i].attach(manager);
            if (keys[i] != null) {
                keys[i].close();
                values[i].close();
            }
            keys[i] = pendingKeys[i];
            values[i] = pendingValues[i];
            pendingKeys[i] = null;
            pendingValues[i] = null;
        }
        length += pendingTokens;
        pendingTokens = 0;
        state = State.READY;
    }

    /** Ends a failed pass: the cache keeps what it held before (the pending arrays die with the pass's scope). */
    void abandon() {
        if (state != State.IN_PASS) {
            return;
        }
        Arrays.fill(pendingKeys, null);
        Arrays.fill(pendingValues, null);
        pendingTokens = 0;
        if (length == 0) {
            batchSize = -1;
            adapter = null;
        }
        state = State.READY;
    }

    /** Frees every cached array; the cache cannot be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        manager.close();
    }

    @Override
    public String toString() {
        return "KvCache[" + state + ", " + length + " tokens, " + keys.length + " layers"
                + (batchSize > 0 ? ", batch " + batchSize : "") + (length > 0 ? ", " + describe(adapter) : "") + "]";
    }
}
