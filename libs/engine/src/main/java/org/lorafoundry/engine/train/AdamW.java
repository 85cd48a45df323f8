package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.lorafoundry.engine.nn.Parameter;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;
import org.lorafoundry.engine.safetensors.TensorView;

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
 * manager; {@link #close()} frees them. Weight decay applies to the {@link WeightDecayGroups#decay()} group only (HF's
 * Trainer passes two parameter groups, the second with {@code weight_decay=0}).
 *
 * <p>{@link #saveState} / {@link #loadState} write and read the moments and the step count exactly (F32), so a run
 * resumed from a checkpoint takes bit-for-bit the steps the uninterrupted run takes.
 */
public final class AdamW implements AutoCloseable {
    static final String STEP_KEY = "step";
    private static final String EXP_AVG = "exp_avg.";
    private static final String EXP_AVG_SQ = "exp_avg_sq.";
    private final List<Parameter> parameters;
    private final boolean[] decays;
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

    /** One group: weight decay on every parameter ({@code torch.optim.AdamW(params, weight_decay=...)}). */
    public AdamW(List<Parameter> parameters, double beta1, double beta2, double epsilon, double weightDecay,
            NDManager parent) {
        this(WeightDecayGroups.allDecayed(parameters), beta1, beta2, epsilon, weightDecay, parent);
    }

    /** Two groups: {@code weightDecay} on {@code groups.decay()}, none on {@code groups.noDecay()}. */
    public AdamW(WeightDecayGroups groups, double beta1, double beta2, double epsilon, double weightDecay,
            NDManager parent) {
        this.parameters = groups.all();
        this.decays = new boolean[parameters.size()];
        for (int i = 0; i < decays.length; i++) {
            decays[i] = groups.decays(parameters.get(i));
        }
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
                if (weightDecay != 0 && decays[i]) {
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

    /**
     * Writes the step count and both moments of every parameter ({@code exp_avg.<name>}, {@code exp_avg_sq.<name>},
     * F32, in the parameters' held layout) to a safetensors file.
     */
    public void saveState(Path file) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter().metadata(STEP_KEY, Integer.toString(step))
                .metadata("optimizer", "AdamW");
        for (int i = 0; i < parameters.size(); i++) {
            String name = parameters.get(i).name();
            writer.put(EXP_AVG + name, expAvg.get(i));
            writer.put(EXP_AVG_SQ + name, expAvgSq.get(i));
        }
        writer.write(file);
    }

    /**
     * Restores what {@link #saveState} wrote, into this optimizer's moments (same parameters by name and shape, or an
     * {@link IllegalArgumentException} naming the difference).
     */
    public void loadState(Path file) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            Map<String, String> meta = reader.metadata();
            if (!meta.containsKey(STEP_KEY)) {
                throw new IllegalArgumentException(file + " is not an AdamW state (no '" + STEP_KEY + "' metadata)");
            }
            if (reader.names().size() != 2 * parameters.size()) {
                throw new IllegalArgumentException(file + " holds " + reader.names().size() / 2
                        + " parameters' moments, this optimizer has " + parameters.size());
            }
            for (int i = 0; i < parameters.size(); i++) {
                String name = parameters.get(i).name();
                restore(reader, file, EXP_AVG + name, expAvg.get(i));
                restore(reader, file, EXP_AVG_SQ + name, expAvgSq.get(i));
            }
            step = Integer.parseInt(meta.get(STEP_KEY));
        }
    }

    private static void restore(SafetensorsReader reader, Path file, String key, NDArray into) {
        if (!reader.contains(key)) {
            throw new IllegalArgumentException(file + " lacks '" + key + "'");
        }
        TensorView t = reader.tensor(key);
        long[] expected = into.getShape().getShape();
        if (!Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(file + ": '" + key + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expected));
        }
        into.set(t.toFloatArray());
    }

    @Override
    public void close() {
        manager.close();
    }
}
