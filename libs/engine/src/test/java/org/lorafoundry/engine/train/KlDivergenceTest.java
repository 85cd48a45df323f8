package org.lorafoundry.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.nn.Parameter;

/** The forgetting term in a training step, against a computation in Java doubles from the two models' logits. */
class KlDivergenceTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** Two rows of 10 tokens, the second right-padded by 3 (its padded positions must not count). */
    private static TrainingBatch reference() {
        long[] ids = {1, 40, 52, 61, 70, 85, 90, 101, 120, 133, 1, 44, 45, 46, 47, 48, 49, 0, 0, 0};
        long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
        long[] labels = ids.clone();
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                labels[i] = TrainingBatch.IGNORE_INDEX;
            }
        }
        return new TrainingBatch(ids, mask, labels, 2, 10);
    }

    private static TrainingBatch task() {
        long[] ids = {1, 7, 8, 9, 10, 11, 12, 13};
        long[] labels = {-100, -100, -100, 9, 10, 11, 12, 13};
        return new TrainingBatch(ids, null, labels, 1, 8);
    }

    private static LoraModel model(NDManager scope) throws Exception {
        LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope);
        // init "false": lora_B is random too, so the adapter already differs from the base (a non-zero KL)
        lora.createAdapter("a", LoraConfig.builder().targetModules("q_proj", "v_proj", "down_proj").r(4).loraAlpha(16)
                .initLoraWeights("false").build(), 11);
        return lora;
    }

    @Test
    void theStepsKlIsTheTokenMeanOverRealPositionsOfTheBasesDivergenceFromTheAdapter() throws Exception {
        TrainingBatch reference = reference();
        try (NDManager scope = manager.newSubManager(); LoraModel lora = model(scope)) {
            double[] expected = expected(lora, reference, scope);
            StepMetrics m;
            try (LoraTrainer trainer = new LoraTrainer(lora, "a", TrainingConfig.builder().maxSteps(1).klWeight(0.5)
                    .build())) {
                m = trainer.step(List.of(task()), reference);
            }
            System.out.printf("[kl] step KL %.9f, Java double %.9f; reference loss %.9f vs %.9f%n",
                    m.klDivergence().getAsDouble(), expected[0], m.referenceLoss().getAsDouble(), expected[1]);
            assertThat(expected[0]).isGreaterThan(0.01);
            assertThat(m.klDivergence().getAsDouble()).isCloseTo(expected[0], within(1e-5 * expected[0]));
            assertThat(m.referenceLoss().getAsDouble()).isCloseTo(expected[1], within(1e-5 * expected[1]));
        }
    }

    @Test
    void theKlTermIsTrainedOnOnlyWithAWeight() throws Exception {
        try (NDManager scope = manager.newSubManager();
                LoraModel plain = model(scope);
                LoraModel measured = model(scope);
                LoraModel weighted = model(scope)) {
            TrainingConfig.Builder cfg = TrainingConfig.builder().learningRate(1e-2).warmupSteps(0).maxSteps(1);
            StepMetrics p = step(plain, cfg.klWeight(0).build(), null);
            StepMetrics m = step(measured, cfg.klWeight(0).build(), reference());
            StepMetrics w = step(weighted, cfg.klWeight(1).build(), reference());
            assertThat(p.klDivergence()).isEmpty();
            assertThat(m.klDivergence()).isPresent();
            assertThat(w.klDivergence()).isEqualTo(m.klDivergence());
            // weight 0: measured, but the update is exactly that of a step without reference data
            assertThat(m.gradNorm()).isEqualTo(p.gradNorm());
            assertThat(maxAbsDiff(plain, measured)).isZero();
            // weight 1: its gradient joins the task's
            assertThat(w.gradNorm()).isNotEqualTo(p.gradNorm());
            assertThat(maxAbsDiff(plain, weighted)).isGreaterThan(1e-5);
            assertThat(w.loss()).as("the reported loss is the task's").isEqualTo(p.loss());
        }
    }

    private static StepMetrics step(LoraModel lora, TrainingConfig config, TrainingBatch reference) {
        try (LoraTrainer trainer = new LoraTrainer(lora, "a", config)) {
            return trainer.step(List.of(task()), reference);
        }
    }

    private static double maxAbsDiff(LoraModel x, LoraModel y) {
        List<Parameter> a = x.adapter("a").trainableParameters();
        List<Parameter> b = y.adapter("a").trainableParameters();
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            float[] u = LoraTrainerTest.values(a.get(i).value());
            float[] v = LoraTrainerTest.values(b.get(i).value());
            for (int j = 0; j < u.length; j++) {
                max = Math.max(max, Math.abs(u[j] - v[j]));
            }
        }
        return max;
    }

    /** {KL token mean, adapter's mean NLL} in doubles from the logits of the base and of the adapter. */
    private static double[] expected(LoraModel lora, TrainingBatch batch, NDManager scope) {
        int b = batch.batchSize();
        int t = batch.length();
        float[] base;
        float[] adapted;
        int vocab;
        try (NDManager m = scope.newSubManager()) {
            NDArray ids = m.create(batch.inputIds(), new Shape(b, t));
            NDArray mask = m.create(batch.attentionMask(), new Shape(b, t));
            NDArray baseLogits = lora.forward(ids, mask, null);
            vocab = (int) baseLogits.getShape().get(2);
            base = baseLogits.toFloatArray();
            adapted = lora.forward(ids, mask, "a").toFloatArray();
        }
        double kl = 0;
        int positions = 0;
        double nll = 0;
        int tokens = 0;
        for (int i = 0; i < b * t; i++) {
            if (batch.attentionMask()[i] == 0) {
                continue;
            }
            double[] p = logSoftmax(base, i * vocab, vocab);
            double[] q = logSoftmax(adapted, i * vocab, vocab);
            for (int v = 0; v < vocab; v++) {
                kl += Math.exp(p[v]) * (p[v] - q[v]);
            }
            positions++;
            boolean last = (i + 1) % t == 0;
            if (!last && batch.labels()[i + 1] != TrainingBatch.IGNORE_INDEX) {
                nll -= q[(int) batch.labels()[i + 1]];
                tokens++;
            }
        }
        return new double[] {kl / positions, nll / tokens};
    }

    private static double[] logSoftmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < n; v++) {
            max = Math.max(max, logits[offset + v]);
        }
        double z = 0;
        for (int v = 0; v < n; v++) {
            z += Math.exp(logits[offset + v] - max);
        }
        double log = Math.log(z) + max;
        double[] out = new double[n];
        for (int v = 0; v < n; v++) {
            out[v] = logits[offset + v] - log;
        }
        return out;
    }
}
