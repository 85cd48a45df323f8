package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;

/** Llama's RMSNorm: {@code w * x / sqrt(mean(x^2) + eps)} over the last dimension, in fp32. */
public final class RmsNorm {
    private final NDArray weight;
    private final NDArray eps;

    /** @param eps a scalar NDArray kept alive by the model (never a Number: see RECIPES). */
    public RmsNorm(NDArray weight, NDArray eps) {
        this.weight = weight;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(eps).sqrt()).mul(weight);
    }
}
