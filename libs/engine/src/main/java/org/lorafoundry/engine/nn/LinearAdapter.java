package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * Something added to a {@link Linear}'s output, computed from the same input: the hook a LoRA adapter plugs into
 * ({@code delta = scale * B(A(dropout(x)))}). Returns {@code [..., outFeatures]}.
 */
@FunctionalInterface
public interface LinearAdapter {
    NDArray delta(NDArray input);
}
