package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.lorafoundry.engine.nn.Parameter;

/**
 * {@code torch.optim.AdamW} (the single-tensor path torch takes on CPU, {@code amsgrad=False}), step for step:
 * <pre>
 * p *= 1 - lr * weight_decay
 * m.lerp_(g, 1 - beta1)
 * v = v * beta2 + (1 - beta2) * g * g
 * denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 * p += -(lr / (1 - beta1^t)) * m / denom
 * </pre>
 * on the parameters' own arrays, in place, through detached aliases (so neither autograd nor a later backward sees the
 * writes). Every scalar is a 0-d array created once and refilled per step. The moments live in this optimizer's own
 * manager; {@link #close()} frees them.
 */
public final class AdamW implements AutoCloseable {
    private final List<Parameter> parameters;
    private final List<NDArray> expAvg = new ArrayList<>();
    private final List<NDArray> expAvgSq = new ArrayList<>();
    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double weightDecay;
    private final NDArray decay;
    private final NDArray oneMinusBeta1;
    private final NDArray beta2Array;
    private final NDArray oneMinusBeta2;
    private final NDArray biasCorrection2Sqrt;
    private final NDArray eps;
    private final NDArray negStepSize;
    private int step;

    public AdamW(List<Parameter> parameters, double beta1, double beta2, double epsilon, double weightDecay,
            NDManager parent) {
        this.parameters = List.copyOf(parameters);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        for (Parameter p : this.parameters) {
            expAvg.add(manager.zeros(p.value().getShape()));
            expAvgSq.add(manager.zeros(p.value().getShape()));
        }
        decay = manager.create(1f);
        oneMinusBeta1 = manager.create((float) (1 - beta1));
        beta2Array = manager.create((float) beta2);
        oneMinusBeta2 = manager.create((float) (1 - beta2));
        biasCorrection2Sqrt = manager.create(1f);
        eps = manager.create((float) epsilon);
        negStepSize = manager.create(0f);
    }

    /** Optimizer steps taken. */
    public int steps() {
        return step;
    }

    /**
     * One update with learning rate {@code lr} from the parameters' current gradients ({@code getGradient()}), which
     * it leaves as they are.
     */
    public void step(double lr) {
        step++;
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        decay.set(new float[] {(float) (1 - lr * weightDecay)});
        biasCorrection2Sqrt.set(new float[] {(float) Math.sqrt(biasCorrection2)});
        negStepSize.set(new float[] {(float) (-lr / biasCorrection1)});
        for (int i = 0; i < parameters.size(); i++) {
            NDArray value = parameters.get(i).value();
            NDArray m = expAvg.get(i);
            NDArray v = expAvgSq.get(i);
            try (NDArray g = value.getGradient(); NDArray p = value.stopGradient()) {
                if (g == null) {
                    continue; // torch skips parameters whose grad is None
                }
                if (weightDecay != 0) {
                    p.muli(decay);
                }
                try (NDArray d = g.sub(m)) { // lerp with weight < 0.5, as torch computes it: m + w * (g - m)
                    m.addi(d.muli(oneMinusBeta1));
                }
                try (NDArray gg = g.mul(g)) {
                    v.muli(beta2Array).addi(gg.muli(oneMinusBeta2));
                }
                try (NDArray denom = v.sqrt()) {
                    denom.divi(biasCorrection2Sqrt).addi(eps);
                    try (NDArray update = m.div(denom)) {
                        p.addi(update.muli(negStepSize));
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
