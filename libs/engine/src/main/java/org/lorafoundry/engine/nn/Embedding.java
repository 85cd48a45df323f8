package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** Row lookup in a {@code [rows, width]} table; the result belongs to the manager of the ids. */
public final class Embedding {
    private final String name;
    private final NDArray weight;

    public Embedding(String name, NDArray weight) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException(name + ": embedding must be 2-D, got " + weight.getShape());
        }
        this.name = name;
        this.weight = weight;
    }

    /** ids (INT64, any shape) to {@code [..., width]}. */
    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
    }

    public String name() {
        return name;
    }

    public NDArray weight() {
        return weight;
    }

    public long rows() {
        return weight.getShape().get(0);
    }

    public long width() {
        return weight.getShape().get(1);
    }
}
