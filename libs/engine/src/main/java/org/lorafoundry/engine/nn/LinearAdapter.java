package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * Something added to a {@link Linear}'s output, computed from the same input: the hook a LoRA layer plugs into
 * ({@code delta = scale * B(A(dropout(x)))}). Returns {@code [..., outFeatures]}, or null when nothing is to be added
 * for this pass (e.g. the pass's adapter does not target this module, or is merged into the weight).
 */
@FunctionalInterface
public interface LinearAdapter {
    NDArray delta(NDArray input, ForwardContext context);
}
