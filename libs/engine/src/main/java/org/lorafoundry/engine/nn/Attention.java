package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Scaled dot-product attention with an additive mask, and the helpers around it. */
public final class Attention {
    /** What masked positions get added (torch.finfo(float32).min, as transformers' eager attention). */
    public static final float MASKED = -Float.MAX_VALUE;

    private Attention() {
    }

    /**
     * {@code softmax(q k^T * scale + mask) v}.
     *
     * @param q {@code [B, H, T, D]}
     * @param k {@code [B, H, S, D]}
     * @param v {@code [B, H, S, D]}
     * @param mask additive, broadcastable to {@code [B, H, T, S]}
     * @param scale scalar NDArray
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, NDArray scale) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1).matMul(v);
    }

    /**
     * Causal mask for {@code length} queries over the same keys, {@code [1, 1, T, T]}; with {@code attentionMask}
     * ({@code [B, T]}, 1 = token, 0 = padding) padded keys are masked too, giving {@code [B, 1, T, T]}.
     */
    public static NDArray causalMask(NDManager scope, int length, NDArray attentionMask) {
        float[] data = new float[length * length];
        for (int i = 0; i < length; i++) {
            for (int j = i + 1; j < length; j++) {
                data[i * length + j] = MASKED;
            }
        }
        NDArray causal = scope.create(data, new Shape(1, 1, length, length));
        if (attentionMask == null) {
            return causal;
        }
        long batch = attentionMask.getShape().get(0);
        NDArray keep = attentionMask.toType(DataType.FLOAT32, true);
        keep.attach(scope);
        NDArray padding = scope.ones(keep.getShape()).sub(keep).mul(scope.create(MASKED)).reshape(batch, 1, 1, length);
        return padding.add(causal);
    }

    /**
     * Causal mask for {@code length} new queries at positions {@code past..past+length-1} over the {@code past} cached
     * keys and their own, {@code [1, 1, T, past + T]}; null for a single query, which may see every key. With
     * {@code past = 0} it equals {@link #causalMask(NDManager, int, NDArray)} without padding.
     */
    public static NDArray causalMaskOverCache(NDManager scope, int length, int past) {
        if (length == 1) {
            return null;
        }
        int keys = past + length;
        float[] data = new float[length * keys];
        for (int i = 0; i < length; i++) {
            for (int j = past + i + 1; j < keys; j++) {
                data[i * keys + j] = MASKED;
            }
        }
        return scope.create(data, new Shape(1, 1, length, keys));
    }

    /** {@code [B, T, H*D]} to {@code [B, H, T, D]}. */
    public static NDArray splitHeads(NDArray x, long batch, long length, int heads, int headDim) {
        return x.reshape(batch, length, heads, headDim).transpose(0, 2, 1, 3);
    }

    /** {@code [B, H, T, D]} to {@code [B, T, H*D]}. */
    public static NDArray mergeHeads(NDArray x, long batch, long length, int heads, int headDim) {
        return x.transpose(0, 2, 1, 3).reshape(batch, length, (long) heads * headDim);
    }

    /** Grouped-query attention: {@code [B, KV, T, D]} to {@code [B, KV*groups, T, D]}, each kv head repeated in place. */
    public static NDArray repeatKv(NDArray x, int groups) {
        if (groups == 1) {
            return x;
        }
        Shape s = x.getShape();
        long b = s.get(0);
        long kv = s.get(1);
        long t = s.get(2);
        long d = s.get(3);
        return x.expandDims(2).broadcast(new Shape(b, kv, groups, t, d)).reshape(b, kv * groups, t, d);
    }
}
