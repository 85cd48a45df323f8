package org.lorafoundry.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.data.JsonlDataset;
import org.lorafoundry.engine.data.TrainingExample;
import org.lorafoundry.engine.finetune.FineTuneException.Code;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.engine.train.CausalLmLoss;
import org.lorafoundry.engine.train.TrainingBatch;

/** The fine-tuning facade on the committed tiny llama fixture: plan, progress, outputs, cancellation, failures. */
class FineTuneRunTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void trainsToThePlannedEndReportingProgressAndWritesAPeftAdapter(@TempDir Path tmp) throws Exception {
        // 24 rows / batch 4 = 6 micro-batches per epoch = 3 steps of 2; 2 epochs = 6 steps
        FineTuneSpec spec = FineTuneTesting.spec(tmp.resolve("data")).epochs(2).evalEverySteps(2).build();
        List<FineTuneProgress> seen = new ArrayList<>();
        try (NDManager scope = manager.newSubManager();
                FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("out"), scope)) {
            assertThat(run.state()).isEqualTo(FineTuneRun.State.PREPARED);
            assertThat(run.totalSteps()).isEqualTo(6);
            FineTuneResult r = run.train(seen::add, null, () -> false);
            assertThat(run.state()).isEqualTo(FineTuneRun.State.COMPLETED);

            assertThat(seen).extracting(FineTuneProgress::step).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(seen).allSatisfy(p -> {
                assertThat(p.totalSteps()).isEqualTo(6);
                assertThat(p.loss()).isBetween(1.0, 10.0);
                assertThat(p.tokensPerSecond()).isPositive();
                assertThat(p.klDivergence()).isEmpty();
            });
            assertThat(seen).extracting(p -> p.epoch() * 3).as("thirds of an epoch")
                    .allSatisfy(e -> assertThat(e - Math.rint(e)).isCloseTo(0, within(1e-9)))
                    .extracting(Math::rint).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
            assertThat(seen.get(0).learningRate()).as("first warmup step").isEqualTo(0.0);
            assertThat(seen.get(1).learningRate()).isEqualTo(1e-2);
            assertThat(seen.get(5).etaSeconds()).isZero();
            assertThat(seen.get(0).etaSeconds()).isPositive();
            assertThat(seen).filteredOn(p -> p.validationLoss().isPresent()).extracting(FineTuneProgress::step)
                    .containsExactly(2, 4, 6);
            long tokens = 0;
            for (FineTuneProgress p : seen) {
                assertThat(p.tokensSeen()).isGreaterThan(tokens);
                tokens = p.tokensSeen();
            }

            assertThat(r.outcome()).isEqualTo(FineTuneResult.Outcome.COMPLETED);
            assertThat(r.steps()).isEqualTo(6);
            assertThat(r.epochs()).isEqualTo(2.0);
            assertThat(r.tokensTrained()).isEqualTo(tokens);
            assertThat(r.parameters()).isEqualTo(run.parameterCount());
            assertThat(r.parameters().trainable()).isEqualTo(2 * (4 * 32 + 4 * 32) + 2 * (4 * 32 + 4 * 16)
                    + 2 * (4 * 32 + 4 * 32) + 2 * (4 * 80 + 4 * 32));
            assertThat(r.data()).isEqualTo(new DataSummary(24, 0, 0, 0, 6, 0));
            assertThat(r.lossCurve()).extracting(LossPoint::step).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(r.lossCurve()).extracting(LossPoint::loss).containsExactlyElementsOf(
                    seen.stream().map(FineTuneProgress::loss).toList());
            assertThat(r.metrics()).containsOnlyKeys("train_loss", "validation_loss", "validation_perplexity",
                    "train_runtime_seconds", "tokens_per_second");
            assertThat(r.metrics().get("train_loss")).isCloseTo(
                    seen.stream().mapToDouble(FineTuneProgress::loss).average().orElseThrow(), within(1e-12));
            double validationLoss = r.metrics().get("validation_loss");
            assertThat(validationLoss).isEqualTo(seen.get(5).validationLoss().getAsDouble());
            assertThat(r.metrics().get("validation_perplexity")).isCloseTo(Math.exp(validationLoss), within(1e-9));
            assertThat(validationLoss).as("token-weighted mean over the validation rows, padding-free")
                    .isCloseTo(exampleByExampleLoss(run.model(), spec), within(1e-5 * validationLoss));

            Path adapter = r.adapterDirectory().orElseThrow();
            assertThat(adapter).isEqualTo(tmp.resolve("out").resolve(FineTuneRun.ADAPTER_DIR));
            assertThat(adapter.resolve("adapter_config.json")).isRegularFile();
            assertThat(adapter.resolve("adapter_model.safetensors")).isRegularFile();
            try (var siblings = Files.list(adapter.getParent())) {
                assertThat(siblings.map(p -> p.getFileName().toString())).as("no temporary directory left")
                        .containsExactly(FineTuneRun.ADAPTER_DIR);
            }
            // the written adapter is the trained one: same logits when loaded onto a fresh base
            try (LoraModel fresh = LoraModel.load(Fixtures.model("llama"), scope)) {
                fresh.loadAdapter("written", adapter);
                NDArray ids = scope.create(new long[] {1, 40, 41, 42, 43, 44, 45, 46}, new Shape(1, 8));
                float[] trained = run.model().forward(ids, null, FineTuneRun.ADAPTER_NAME).toFloatArray();
                float[] reloaded = fresh.forward(ids, null, "written").toFloatArray();
                float[] base = fresh.forward(ids, null, null).toFloatArray();
                assertThat(reloaded).containsExactly(trained);
                assertThat(maxAbsDiff(trained, base)).as("training changed the function").isGreaterThan(1e-3);
            }
            assertThatThrownBy(() -> run.train(null, null, null)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("COMPLETED");
        }
    }

    /** Mean token loss computed one example at a time (batch 1, no padding), weighting examples by their tokens. */
    private static double exampleByExampleLoss(LoraModel model, FineTuneSpec spec) throws Exception {
        List<TrainingExample> examples;
        try (HfTokenizer tokenizer = HfTokenizer.load(spec.baseModel())) {
            examples = JsonlDataset.read(spec.validationData()).encode(new ExampleEncoder(tokenizer,
                    spec.maxSeqLength()));
        }
        double nll = 0;
        long tokens = 0;
        for (TrainingExample e : examples) {
            try (NDManager m = manager.newSubManager()) {
                TrainingBatch one = new TrainingBatch(e.inputIds(), null, e.labels(), 1, e.length());
                NDArray logits = model.forward(m.create(e.inputIds(), new Shape(1, e.length())), null,
                        FineTuneRun.ADAPTER_NAME);
                nll += CausalLmLoss.mean(logits, one, m).getFloat() * (double) one.labelledTokens();
                tokens += one.labelledTokens();
            }
        }
        return nll / tokens;
    }

    @Test
    void plansFractionalEpochsMaxStepsPackingAndWarmupRatioAsTransformers(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        // 1.5 epochs of 3 steps = ceil(4.5) = 5; warmup ceil(5 * 0.3) = 2
        try (FineTuneRun run = FineTuneRun.prepare(FineTuneTesting.spec(data).epochs(1.5).warmupSteps(0)
                .warmupRatio(0.3).build(), tmp.resolve("a"), manager)) {
            assertThat(run.totalSteps()).isEqualTo(5);
            assertThat(run.warmupSteps()).isEqualTo(2);
        }
        // accumulation 4 over 6 micro-batches: steps of 4 + 2 (an epoch's last step takes the rest)
        try (FineTuneRun run = FineTuneRun.prepare(FineTuneTesting.spec(data).epochs(3).gradientAccumulationSteps(4)
                .build(), tmp.resolve("b"), manager)) {
            assertThat(run.totalSteps()).isEqualTo(6);
            List<Integer> steps = new ArrayList<>();
            FineTuneResult r = run.train(p -> steps.add(p.step()), null, null);
            assertThat(steps).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(r.epochs()).isEqualTo(3.0);
        }
        // maxSteps cycles through the data; packing puts several ~20-token examples into each 48-token row
        try (FineTuneRun run = FineTuneRun.prepare(FineTuneTesting.spec(data).maxSteps(7).packing(true).build(),
                tmp.resolve("c"), manager)) {
            assertThat(run.totalSteps()).isEqualTo(7);
            List<Double> epochs = new ArrayList<>();
            FineTuneResult r = run.train(p -> epochs.add(p.epoch()), null, null);
            assertThat(r.steps()).isEqualTo(7);
            assertThat(r.epochs()).as("packed rows: fewer batches per epoch, so more than one epoch").isGreaterThan(2);
            assertThat(epochs).isSorted();
        }
    }

    @Test
    void cancellationStopsBetweenStepsAndSaysWhere(@TempDir Path tmp) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        try (FineTuneRun run = FineTuneRun.prepare(FineTuneTesting.spec(tmp.resolve("data")).maxSteps(10).build(),
                tmp.resolve("out"), manager)) {
            FineTuneResult r = run.train(null, null, () -> asked.incrementAndGet() > 2);
            assertThat(r.cancelled()).isTrue();
            assertThat(r.steps()).isEqualTo(2);
            assertThat(r.totalSteps()).isEqualTo(10);
            assertThat(r.lossCurve()).hasSize(2);
            assertThat(r.adapterDirectory()).isEmpty();
            assertThat(r.metrics()).isEmpty();
            assertThat(run.state()).isEqualTo(FineTuneRun.State.CANCELLED);
            assertThat(tmp.resolve("out").resolve(FineTuneRun.ADAPTER_DIR)).doesNotExist();
        }
    }

    @Test
    void badDataIsATypedErrorNamingTheProblem(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path broken = FineTuneTesting.write(data, "broken.jsonl", List.of("{\"text\": \"fine\"}", "{not json"));
        assertFailure(FineTuneTesting.spec(data).trainData(broken).maxSteps(1).build(), tmp, Code.BAD_DATA,
                "broken.jsonl:2", "not valid JSON");
        assertFailure(FineTuneTesting.spec(data).trainData(data.resolve("missing.jsonl")).maxSteps(1).build(), tmp,
                Code.BAD_DATA, "missing.jsonl", "does not exist");
        // the prompts alone are longer than 6 tokens: every completion is cut off
        assertFailure(FineTuneTesting.spec(data).maxSeqLength(6).maxSteps(1).build(), tmp, Code.BAD_DATA,
                "no training example has a token to learn", "raise maxSeqLength");
        Path wrongReference = FineTuneTesting.write(data, "ref.jsonl", List.of("{\"text\": 3}"));
        assertFailure(FineTuneTesting.spec(data).referenceData(wrongReference).klWeight(1).maxSteps(1).build(), tmp,
                Code.BAD_DATA, "bad reference data", "ref.jsonl:1");
    }

    @Test
    void unusableBaseModelsAndConfigsAreTypedErrors(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Path noWeights = Files.createDirectories(tmp.resolve("no-weights"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(Fixtures.model("llama").resolve(f), noWeights.resolve(f));
        }
        assertFailure(FineTuneTesting.spec(data).baseModel(noWeights).maxSteps(1).build(), tmp,
                Code.BASE_MODEL_UNREADABLE, "cannot load the base model", "no-weights");
        assertFailure(FineTuneTesting.spec(data).baseModel(tmp.resolve("nowhere")).maxSteps(1).build(), tmp,
                Code.BASE_MODEL_UNREADABLE, "tokenizer", "nowhere");
        assertFailure(FineTuneTesting.spec(data).lora(LoraConfig.builder().targetModules("c_attn").build())
                .maxSteps(1).build(), tmp, Code.UNSUPPORTED_CONFIG, "LoRA config", "c_attn");
        assertThatThrownBy(() -> FineTuneTesting.spec(data).batchSize(0).build())
                .isInstanceOfSatisfying(FineTuneException.class, e -> assertThat(e.code())
                        .isEqualTo(Code.UNSUPPORTED_CONFIG)).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> FineTuneTesting.spec(data).klWeight(0.5).build())
                .isInstanceOf(FineTuneException.class).hasMessageContaining("needs referenceData");
        assertThatThrownBy(() -> FineTuneTesting.spec(data).epochs(0).build())
                .isInstanceOf(FineTuneException.class).hasMessageContaining("exactly one of epochs");
    }

    @Test
    void aDivergingRunStopsAtTheStepWithAnActionableMessage(@TempDir Path tmp) throws Exception {
        // lr 1e4 without clipping: AdamW moves every weight by ~1e4 per step until the logits overflow
        FineTuneSpec spec = FineTuneTesting.spec(tmp.resolve("data")).learningRate(1e4).maxGradNorm(0).warmupSteps(0)
                .maxSteps(30).build();
        List<Integer> steps = new ArrayList<>();
        try (FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("out"), manager)) {
            assertThatThrownBy(() -> run.train(p -> steps.add(p.step()), null, null))
                    .isInstanceOfSatisfying(FineTuneException.class, e -> {
                        assertThat(e.code()).isEqualTo(Code.DIVERGED);
                        assertThat(e.step()).isEqualTo(steps.size() + 1).isGreaterThan(1);
                        assertThat(e.getMessage()).contains("diverged at step " + e.step(), "lower the learning rate");
                    });
            assertThat(run.state()).isEqualTo(FineTuneRun.State.FAILED);
        }
    }

    @Test
    void outOfMemoryIsRecognisedInJavaAndInLibtorchErrors() {
        assertThat(FineTuneException.isOutOfMemory(new OutOfMemoryError("Java heap space"))).isTrue();
        assertThat(FineTuneException.isOutOfMemory(new ai.djl.engine.EngineException(
                "[enforce fail at alloc_cpu.cpp:119] DefaultCPUAllocator: not enough memory: you tried to allocate"
                        + " 17179869184 bytes."))).isTrue();
        assertThat(FineTuneException.isOutOfMemory(new RuntimeException("wrapped", new ai.djl.engine.EngineException(
                "CUDA out of memory. Tried to allocate 2.00 GiB")))).isTrue();
        assertThat(FineTuneException.isOutOfMemory(new IllegalStateException("shape mismatch"))).isFalse();
    }

    private static void assertFailure(FineTuneSpec spec, Path tmp, Code code, String... messageParts) {
        assertThatThrownBy(() -> FineTuneRun.prepare(spec, tmp.resolve("out"), manager).close())
                .isInstanceOfSatisfying(FineTuneException.class, e -> {
                    assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(messageParts);
                    assertThat(e.step()).isEqualTo(-1);
                });
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
