package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;

/** Llama's RMSNorm: {@code w * x / sqrt(mean(x^2) + eps)} over the last dimension, in fp32. */
public final class RmsNorm {
    private final String name;
    private final Parameter weight;
    private final NDArray eps;

    /**
     * @param name Hugging Face module name, e.g. {@code model.layers.0.input_layernorm}
     * @param eps a scalar NDArray kept alive by the model (never a Number: see RECIPES).
     */
    public RmsNorm(String name, NDArray weight, NDArray eps) {
        this.name = name;
        this.weight = new Parameter(name + ".weight", weight);
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return forward(x, ForwardContext.BASE);
    }

    public NDArray forward(NDArray x, ForwardContext context) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(eps).sqrt()).mul(context.value(weight));
    }

    public String name() {
        return name;
    }

    public Parameter weightParameter() {
        return weight;
    }
}
