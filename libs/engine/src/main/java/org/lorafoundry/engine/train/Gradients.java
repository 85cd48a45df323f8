package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lorafoundry.engine.nn.Parameter;

/** Gradient housekeeping on the trainable parameters: global norm, clipping, zeroing. */
final class Gradients {
    private final List<Parameter> parameters;
    private final NDArray coefficient;

    Gradients(List<Parameter> parameters, NDManager manager) {
        this.parameters = List.copyOf(parameters);
        this.coefficient = manager.create(1f);
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_(parameters, maxNorm)}: the 2-norm of the per-tensor 2-norms; when
     * {@code maxNorm > 0}, every gradient is multiplied by {@code min(1, maxNorm / (norm + 1e-6))}. Returns the norm
     * before clipping.
     */
    float clip(double maxNorm, NDManager scope) {
        NDList norms = new NDList();
        for (Parameter p : parameters) {
            try (NDArray g = p.value().getGradient()) {
                if (g == null) {
                    continue;
                }
                NDArray n = g.norm();
                n.attach(scope);
                norms.add(n);
            }
        }
        NDArray stacked = NDArrays.stack(norms);
        float total = stacked.norm().getFloat();
        if (maxNorm > 0) {
            float coef = (float) maxNorm / (total + 1e-6f);
            if (coef < 1f) {
                coefficient.set(new float[] {coef});
                for (Parameter p : parameters) {
                    try (NDArray g = p.value().getGradient()) {
                        if (g != null) {
                            g.muli(coefficient);
                        }
                    }
                }
            }
        }
        return total;
    }

    /** Sets every gradient to zero (torch's {@code zero_grad()}, without freeing them). */
    void zero() {
        for (Parameter p : parameters) {
            try (NDArray g = p.value().getGradient()) {
                if (g != null) {
                    g.subi(g);
                }
            }
        }
    }
}
