package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embedding as transformers' {@code LlamaRotaryEmbedding} ("default" rope type) computes it, in fp32:
 * {@code inv_freq = 1 / theta^(arange(0, d, 2) / d)}, angles {@code position * inv_freq} repeated twice,
 * {@code x * cos + rotate_half(x) * sin} with {@code rotate_half(x) = cat(-x2, x1)}.
 */
public final class RotaryEmbedding {
    private final int headDim;
    private final NDArray invFreq; // [1, headDim / 2], owned by the model

    public RotaryEmbedding(NDManager manager, int headDim, double theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even: " + headDim);
        }
        this.headDim = headDim;
        try (NDManager tmp = manager.newSubManager()) {
            NDArray exponents = tmp.arange(0, headDim, 2, DataType.INT64).toType(DataType.FLOAT32, false)
                    .div(tmp.create((float) headDim));
            NDArray powers = tmp.full(new Shape(headDim / 2), (float) theta).pow(exponents);
            NDArray inv = tmp.ones(new Shape(headDim / 2)).div(powers).reshape(1, headDim / 2);
            inv.attach(manager);
            this.invFreq = inv;
        }
    }

    /** The inverse frequencies, {@code [1, headDim / 2]}. */
    public NDArray invFreq() {
        return invFreq;
    }

    /** cos and sin for positions [start, start + length), each {@code [1, 1, length, headDim]}, owned by {@code scope}. */
    public NDList cosSin(NDManager scope, long start, long length) {
        NDArray positions = scope.arange(start, start + length, 1L, DataType.INT64).toType(DataType.FLOAT32, false)
                .reshape(length, 1);
        NDArray freqs = positions.mul(invFreq);
        NDArray emb = NDArrays.concat(new NDList(freqs, freqs), -1);
        Shape shape = new Shape(1, 1, length, headDim);
        return new NDList(emb.cos().reshape(shape), emb.sin().reshape(shape));
    }

    /** Rotates {@code x} of shape {@code [batch, heads, length, headDim]}. */
    public NDArray apply(NDArray x, NDList cosSin) {
        NDList halves = x.split(2, x.getShape().dimension() - 1);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), -1);
        return x.mul(cosSin.get(0)).add(rotated.mul(cosSin.get(1)));
    }
}
