package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Scalar constants as NDArrays created once and kept alive by the model's manager. DJL's {@code mul(Number)} wraps the
 * number in a temporary tensor that autograd may free before backward (wrong gradients, NaN): never pass Numbers to
 * ops on activations.
 */
public final class Scalars {
    private final NDManager manager;
    private final Map<Float, NDArray> cache = new HashMap<>();

    public Scalars(NDManager manager) {
        this.manager = manager;
    }

    /** A 0-dimensional FLOAT32 array holding {@code value}. */
    public synchronized NDArray of(float value) {
        return cache.computeIfAbsent(value, v -> manager.create(v.floatValue()));
    }

    public NDArray of(double value) {
        return of((float) value);
    }
}
