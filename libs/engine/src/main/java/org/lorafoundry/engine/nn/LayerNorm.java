package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch's LayerNorm over the last dimension (GPT-2). */
public final class LayerNorm {
    private final String name;
    private final Parameter weight;
    private final Parameter bias;
    private final float eps;
    private final Shape normalized;

    /** @param name Hugging Face module name, e.g. {@code transformer.h.0.ln_1} */
    public LayerNorm(String name, NDArray weight, NDArray bias, double eps) {
        this.name = name;
        this.weight = new Parameter(name + ".weight", weight);
        this.bias = new Parameter(name + ".bias", bias);
        this.eps = (float) eps;
        this.normalized = new Shape(weight.getShape().get(0));
    }

    public NDArray forward(NDArray x) {
        return forward(x, ForwardContext.BASE);
    }

    public NDArray forward(NDArray x, ForwardContext context) {
        return x.getNDArrayInternal().layerNorm(x, normalized, context.value(weight), context.value(bias), eps)
                .singletonOrThrow();
    }

    public String name() {
        return name;
    }

    public Parameter weightParameter() {
        return weight;
    }

    public Parameter biasParameter() {
        return bias;
    }
}
