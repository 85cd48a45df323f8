package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Row lookup in a {@code [rows, width]} table; the result belongs to the manager of the ids. */
public final class Embedding {
    private final String name;
    private final Parameter weight;

    /** @param name Hugging Face module name, e.g. {@code model.embed_tokens} */
    public Embedding(String name, NDArray weight) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException(name + ": embedding must be 2-D, got " + weight.getShape());
        }
        this.name = name;
        this.weight = new Parameter(name + ".weight", weight);
    }

    /** ids (INT64, any shape) to {@code [..., width]}. */
    public NDArray forward(NDArray ids) {
        return forward(ids, ForwardContext.BASE);
    }

    public NDArray forward(NDArray ids, ForwardContext context) {
        return ids.getNDArrayInternal().embedding(ids, context.value(weight), SparseFormat.DENSE).singletonOrThrow();
    }

    public String name() {
        return name;
    }

    /** The table as loaded (the base value). */
    public NDArray weight() {
        return weight.value();
    }

    public Parameter weightParameter() {
        return weight;
    }

    public long rows() {
        return weight.value().getShape().get(0);
    }

    public long width() {
        return weight.value().getShape().get(1);
    }
}
