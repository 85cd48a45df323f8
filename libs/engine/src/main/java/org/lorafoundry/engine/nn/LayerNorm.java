package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch's LayerNorm over the last dimension (GPT-2). */
public final class LayerNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final float eps;
    private final Shape normalized;

    public LayerNorm(NDArray weight, NDArray bias, double eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = (float) eps;
        this.normalized = new Shape(weight.getShape().get(0));
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
    }
}
