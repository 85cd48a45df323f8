package org.lorafoundry.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.nn.Parameter;

class LoraTrainerTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /**
     * The values of a possibly non-contiguous array (LoRA weights are transposed views). DJL's toFloatArray() on such
     * an array leaves a contiguous copy in the array's manager; the flattened copy here is closed at once.
     */
    static float[] values(NDArray a) {
        try (NDArray flat = a.flatten()) {
            return flat.toFloatArray();
        }
    }

    private static Path trainingCase(String name) {
        return Fixtures.root().resolve("training").resolve(name);
    }

    private static TrainingConfig config(int steps) {
        return TrainingConfig.builder().learningRate(1e-2).maxSteps(steps).gradientAccumulationSteps(2).warmupSteps(1)
                .weightDecay(0.01).build();
    }

    @Test
    void baseWeightsStayFrozenAndUnwrittenAndMemoryStaysFlat() throws Exception {
        List<TrainingBatch> batches = TrainingParity.batches(trainingCase("gpt2-cosine").resolve("batches.safetensors"));
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(Fixtures.model("gpt2"), scope)) {
            // created (not loaded): bias="all" + modules_to_save copies start as copies of the mapped base arrays
            lora.createAdapter("a", LoraConfig.builder().targetModules("c_attn", "c_fc").r(4).loraAlpha(8)
                    .bias(LoraConfig.Bias.ALL).modulesToSave("ln_f").initLoraWeights("false").build(), 7);
            Map<String, float[]> before = new HashMap<>();
            lora.base().modules().parameters().forEach((n, p) -> before.put(n, p.value().toFloatArray()));
            int arrays = scope.getManagedArrays().size();
            try (LoraTrainer trainer = new LoraTrainer(lora, "a", config(6))) {
                Map<String, float[]> trainable = new HashMap<>();
                trainer.parameters().forEach(p -> trainable.put(p.name(), values(p.value())));
                trainer.step(batches.subList(0, 2));
                int afterOne = scope.getManagedArrays().size();
                for (int i = 1; i < 6; i++) {
                    trainer.step(batches.subList(2 * i, 2 * i + 2));
                }
                assertThat(scope.getManagedArrays()).as("no arrays pile up step after step").hasSize(afterOne);
                for (Parameter p : trainer.parameters()) {
                    assertThat(values(p.value())).as(p.name()).isNotEqualTo(trainable.get(p.name()));
                }
            }
            assertThat(scope.getManagedArrays()).as("closing frees the optimizer state").hasSize(arrays);
            lora.base().modules().parameters().forEach((n, p) -> {
                assertThat(p.value().hasGradient()).as(n).isFalse();
                assertThat(p.value().toFloatArray()).as(n).isEqualTo(before.get(n));
            });
        }
    }

    @Test
    void accumulatedMicroBatchesWeighEveryLabelledTokenAlike() throws Exception {
        List<TrainingBatch> batches = TrainingParity.batches(trainingCase("llama-linear").resolve("batches.safetensors"));
        TrainingBatch few = batches.get(0);
        TrainingBatch many = batches.get(1);
        assertThat(few.labelledTokens()).isNotEqualTo(many.labelledTokens());
        TrainingBatch both = new TrainingBatch(concat(few.inputIds(), many.inputIds()),
                concat(few.attentionMask(), many.attentionMask()), concat(few.labels(), many.labels()),
                few.batchSize() + many.batchSize(), few.length());
        LoraConfig lora = LoraConfig.builder().targetModules("q_proj", "v_proj").r(4).initLoraWeights("false").build();
        try (NDManager scope = manager.newSubManager();
                LoraModel accumulated = LoraModel.load(Fixtures.model("llama"), scope);
                LoraModel single = LoraModel.load(Fixtures.model("llama"), scope)) {
            accumulated.createAdapter("a", lora, 3);
            single.createAdapter("a", lora, 3);
            double fewMean = meanLoss(accumulated, few, scope);
            double manyMean = meanLoss(accumulated, many, scope);
            float[] before = values(accumulated.adapter("a").trainableParameters().get(0).value());
            TrainingConfig.Builder settings = TrainingConfig.builder().learningRate(1e-2).maxSteps(1).warmupSteps(0)
                    .weightDecay(0.01);
            StepMetrics two;
            StepMetrics one;
            try (LoraTrainer t = new LoraTrainer(accumulated, "a", settings.gradientAccumulationSteps(2).build())) {
                two = t.step(List.of(few, many));
            }
            try (LoraTrainer t = new LoraTrainer(single, "a", settings.gradientAccumulationSteps(1).build())) {
                one = t.step(List.of(both));
            }
            assertThat(values(accumulated.adapter("a").trainableParameters().get(0).value())).as("it trained")
                    .isNotEqualTo(before);
            // two micro-batches accumulated = one batch holding both: the same loss and the same update
            assertThat(two.loss()).isCloseTo(one.loss(), org.assertj.core.data.Offset.offset(1e-6 * one.loss()));
            assertThat(two.labelledTokens()).isEqualTo(one.labelledTokens()).isEqualTo(both.labelledTokens());
            assertThat(two.loss()).isCloseTo((fewMean * few.labelledTokens() + manyMean * many.labelledTokens())
                    / both.labelledTokens(), org.assertj.core.data.Offset.offset(1e-5));
            System.out.printf("[accumulation] %d + %d labels: accumulated loss %.7f, one batch %.7f, mean of the"
                    + " micro-batch means %.7f%n", few.labelledTokens(), many.labelledTokens(), two.loss(), one.loss(),
                    (fewMean + manyMean) / 2);
            assertThat(Math.abs(two.loss() - (fewMean + manyMean) / 2)).as("not the mean of micro-batch means")
                    .isGreaterThan(1e-3);
            double diff = 0;
            List<Parameter> a = accumulated.adapter("a").trainableParameters();
            List<Parameter> b = single.adapter("a").trainableParameters();
            for (int i = 0; i < a.size(); i++) {
                float[] x = values(a.get(i).value());
                float[] y = values(b.get(i).value());
                for (int j = 0; j < x.length; j++) {
                    diff = Math.max(diff, Math.abs(x[j] - y[j]));
                }
            }
            assertThat(diff).as("updated weights").isLessThan(1e-6);
        }
    }

    private static double meanLoss(LoraModel lora, TrainingBatch batch, NDManager scope) {
        try (NDManager m = scope.newSubManager()) {
            Shape shape = new Shape(batch.batchSize(), batch.length());
            NDArray logits = lora.forward(m.create(batch.inputIds(), shape), m.create(batch.attentionMask(), shape),
                    "a");
            return CausalLmLoss.mean(logits, batch, m).getFloat();
        }
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void cancellationStopsBetweenStepsAndExhaustionIsReported() throws Exception {
        List<TrainingBatch> batches = TrainingParity.batches(trainingCase("llama-linear").resolve("batches.safetensors"));
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            lora.loadAdapter("a", trainingCase("llama-linear").resolve("initial"));
            AtomicInteger calls = new AtomicInteger();
            List<StepMetrics> seen = new ArrayList<>();
            try (LoraTrainer trainer = new LoraTrainer(lora, "a", config(20))) {
                TrainingResult r = trainer.train(batches.iterator(), seen::add, () -> calls.incrementAndGet() > 3);
                assertThat(r.cancelled()).isTrue();
                assertThat(r.stepsTaken()).isEqualTo(3);
                assertThat(seen).extracting(StepMetrics::step).containsExactly(1, 2, 3);
                assertThat(seen).allSatisfy(m -> {
                    assertThat(m.tokens()).isPositive();
                    assertThat(m.tokensPerSecond()).isPositive();
                    assertThat(m.gradNorm()).isPositive();
                });
                // resumes where it stopped; 5 micro-batches = 2 steps + 1 dropped
                TrainingResult rest = trainer.train(batches.subList(0, 5).iterator(), null, null);
                assertThat(rest.exhausted()).isTrue();
                assertThat(rest.steps()).extracting(StepMetrics::step).containsExactly(4, 5);
                assertThat(trainer.stepsTaken()).isEqualTo(5);
            }
        }
    }

    @Test
    void mergedAdaptersAreRefused() throws Exception {
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            lora.loadAdapter("a", trainingCase("llama-linear").resolve("initial"));
            lora.merge("a");
            assertThatThrownBy(() -> new LoraTrainer(lora, "a", config(1))).hasMessageContaining("merged");
        }
    }

    @Test
    void lossIsTheShiftedMaskedMeanCrossEntropy() {
        try (NDManager scope = manager.newSubManager()) {
            int b = 2;
            int t = 4;
            int v = 5;
            float[] logits = new float[b * t * v];
            java.util.Random rng = new java.util.Random(3);
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) rng.nextGaussian() * 2;
            }
            long[] labels = {-100, 1, 4, -100, 3, 0, -100, 2};
            TrainingBatch batch = new TrainingBatch(new long[b * t], null, labels, b, t);
            assertThat(batch.labelledTokens()).isEqualTo(4);
            double sum = 0;
            for (int i = 0; i < b; i++) {
                for (int j = 1; j < t; j++) {
                    long label = labels[i * t + j];
                    if (label == -100) {
                        continue;
                    }
                    int row = (i * t + j - 1) * v; // logits at j - 1 predict the label at j
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < v; k++) {
                        max = Math.max(max, logits[row + k]);
                    }
                    double z = 0;
                    for (int k = 0; k < v; k++) {
                        z += Math.exp(logits[row + k] - max);
                    }
                    sum += -(logits[row + (int) label] - max - Math.log(z));
                }
            }
            NDArray loss = CausalLmLoss.mean(scope.create(logits, new Shape(b, t, v)), batch, scope);
            assertThat((double) loss.getFloat()).isCloseTo(sum / 4, org.assertj.core.data.Offset.offset(1e-5));
            TrainingBatch none = new TrainingBatch(new long[b * t], null, new long[] {0, -100, -100, -100, 1, -100,
                    -100, -100}, b, t);
            assertThatThrownBy(() -> CausalLmLoss.mean(scope.create(logits, new Shape(b, t, v)), none, scope))
                    .hasMessageContaining("without any label");
        }
    }

    @Test
    void schedulesEqualTransformers() {
        // committed fixtures hold transformers' lr per step; here the closed forms at a few points
        assertThat(LrSchedule.LINEAR.factor(0, 3, 20)).isEqualTo(0.0);
        assertThat(LrSchedule.LINEAR.factor(2, 3, 20)).isEqualTo(2.0 / 3);
        assertThat(LrSchedule.LINEAR.factor(3, 3, 20)).isEqualTo(1.0);
        assertThat(LrSchedule.LINEAR.factor(20, 3, 20)).isEqualTo(0.0);
        assertThat(LrSchedule.COSINE.factor(3, 3, 23)).isEqualTo(1.0);
        assertThat(LrSchedule.COSINE.factor(13, 3, 23)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(LrSchedule.CONSTANT.factor(0, 0, 5)).isEqualTo(1.0);
        assertThat(LrSchedule.parse("cosine")).isEqualTo(LrSchedule.COSINE);
        assertThatThrownBy(() -> LrSchedule.parse("polynomial")).hasMessageContaining("supported");
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> TrainingConfig.builder().gradientAccumulationSteps(0).build())
                .hasMessageContaining("gradientAccumulationSteps");
        assertThatThrownBy(() -> TrainingConfig.builder().betas(0.9, 1.0).build()).hasMessageContaining("beta2");
        assertThatThrownBy(() -> TrainingConfig.builder().learningRate(-1).build()).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> new TrainingBatch(new long[4], null, new long[] {1, 2, -5, 3}, 1, 4))
                .hasMessageContaining("-5");
        assertThatThrownBy(() -> new TrainingBatch(new long[3], null, new long[4], 1, 4))
                .hasMessageContaining("4 values");
    }
}
