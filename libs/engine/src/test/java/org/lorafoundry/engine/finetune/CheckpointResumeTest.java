package org.lorafoundry.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.finetune.FineTuneException.Code;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.safetensors.SafetensorsReader;

/**
 * Checkpoints and exact resume: a run interrupted after a checkpoint and continued by a new run object (new base model,
 * new adapter, new optimizer, new iterators) takes exactly the steps of an uninterrupted run.
 */
class CheckpointResumeTest {
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
     * lora_dropout 0.1 (random masks every pass), a KL term on shuffled reference batches, validation, 8 steps over
     * three epochs of 3 steps; checkpoints every 3 steps.
     */
    private static FineTuneSpec spec(Path data, double dropout) throws IOException {
        return FineTuneTesting.spec(data).lora(LoraConfig.builder().r(4).loraAlpha(8).loraDropout(dropout)
                        .targetModules("q_proj", "v_proj", "o_proj", "down_proj").build())
                .referenceData(FineTuneTesting.generalText(data, "reference.jsonl", 10, 3)).klWeight(0.5)
                .referenceBatchSize(3).maxSteps(8).evalEverySteps(4).checkpointEverySteps(3).build();
    }

    @Test
    void aRunResumedFromACheckpointTakesTheUninterruptedStepsBitForBit(@TempDir Path tmp) throws Exception {
        FineTuneSpec spec = spec(tmp.resolve("data"), 0.1);
        List<FineTuneProgress> uninterrupted = new ArrayList<>();
        FineTuneResult full;
        try (FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("a"), manager)) {
            full = run.train(uninterrupted::add, null, null);
        }

        Path out = tmp.resolve("b");
        List<FineTuneProgress> first = new ArrayList<>();
        Map<Integer, Path> saved = new LinkedHashMap<>();
        try (FineTuneRun run = FineTuneRun.prepare(spec, out, manager)) {
            FineTuneResult stopped = run.train(first::add, saved::put, () -> first.size() >= 3);
            assertThat(stopped.cancelled()).isTrue();
            assertThat(stopped.steps()).isEqualTo(3);
        }
        assertThat(saved).containsOnlyKeys(3);
        Path checkpoint = FineTuneRun.latestCheckpoint(out).orElseThrow();
        assertThat(checkpoint).isEqualTo(saved.get(3)).isEqualTo(out.resolve("checkpoints/checkpoint-3"));
        checkLayout(checkpoint);

        List<FineTuneProgress> second = new ArrayList<>();
        FineTuneResult resumed;
        try (FineTuneRun run = FineTuneRun.prepare(spec, out, manager)) {
            run.resumeFrom(checkpoint);
            resumed = run.train(second::add, saved::put, null);
        }
        assertThat(second).extracting(FineTuneProgress::step).containsExactly(4, 5, 6, 7, 8);
        assertThat(saved).containsOnlyKeys(3, 6);
        List<FineTuneProgress> expected = uninterrupted.subList(3, 8);
        // bitwise: the same doubles, not close ones
        assertThat(second).extracting(FineTuneProgress::loss)
                .containsExactlyElementsOf(expected.stream().map(FineTuneProgress::loss).toList());
        assertThat(second).extracting(FineTuneProgress::gradNorm)
                .containsExactlyElementsOf(expected.stream().map(FineTuneProgress::gradNorm).toList());
        assertThat(second).extracting(FineTuneProgress::klDivergence)
                .containsExactlyElementsOf(expected.stream().map(FineTuneProgress::klDivergence).toList());
        assertThat(second).extracting(FineTuneProgress::validationLoss)
                .containsExactlyElementsOf(expected.stream().map(FineTuneProgress::validationLoss).toList());
        assertThat(second).extracting(FineTuneProgress::tokensSeen)
                .containsExactlyElementsOf(expected.stream().map(FineTuneProgress::tokensSeen).toList());
        assertThat(second).extracting(FineTuneProgress::epoch)
                .containsExactlyElementsOf(expected.stream().map(FineTuneProgress::epoch).toList());
        assertThat(resumed.resumedFromStep()).isEqualTo(3);
        assertThat(resumed.lossCurve()).isEqualTo(full.lossCurve());
        assertThat(resumed.metrics().get("kl_divergence")).isEqualTo(full.metrics().get("kl_divergence"));
        assertThat(resumed.metrics().get("validation_loss")).isEqualTo(full.metrics().get("validation_loss"));
        double diff = maxAbsDiff(full.adapterDirectory().orElseThrow(), resumed.adapterDirectory().orElseThrow());
        System.out.println("[resume] steps 4-8 after resuming at 3: losses, grad norms, KL bitwise equal; final adapter"
                + " max abs diff " + diff);
        assertThat(diff).isZero();

        // the dropout masks matter (so replaying them is what made the losses equal): without dropout they differ
        List<Double> noDropout = new ArrayList<>();
        try (FineTuneRun run = FineTuneRun.prepare(spec(tmp.resolve("data"), 0.0), tmp.resolve("c"), manager)) {
            run.train(p -> noDropout.add(p.loss()), null, null);
        }
        // lora_B starts at 0 and the first step's learning rate is 0 (warmup): no dropout effect before step 3
        assertThat(noDropout.subList(0, 2)).containsExactlyElementsOf(
                uninterrupted.subList(0, 2).stream().map(FineTuneProgress::loss).toList());
        assertThat(noDropout.subList(2, 8)).doesNotContainAnyElementsOf(
                uninterrupted.subList(2, 8).stream().map(FineTuneProgress::loss).toList());
    }

    private static void checkLayout(Path checkpoint) throws IOException {
        try (var files = Files.list(checkpoint)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("adapter_config.json",
                    "adapter_model.safetensors", "README.md", "optimizer.safetensors", "trainer_state.json");
        }
        try (var siblings = Files.list(checkpoint.getParent())) {
            assertThat(siblings.map(p -> p.getFileName().toString())).as("nothing temporary left")
                    .containsExactly("checkpoint-3");
        }
        JsonNode state = Fixtures.json(checkpoint.resolve("trainer_state.json"));
        assertThat(state.get("format_version").asInt()).isEqualTo(1);
        assertThat(state.get("step").asInt()).isEqualTo(3);
        assertThat(state.get("total_steps").asInt()).isEqualTo(8);
        assertThat(state.get("data_position").get("epoch").asInt()).isEqualTo(1);
        assertThat(state.get("data_position").get("row").asInt()).isZero();
        assertThat(state.get("reference_position").get("row").asInt()).isEqualTo(9); // 3 batches of 3 rows
        assertThat(state.get("rng").get("seed").asLong()).isEqualTo(7);
        assertThat(state.get("loss_curve")).hasSize(3);
        assertThat(state.get("settings").get("batch_size").asText()).isEqualTo("4");
        try (SafetensorsReader optimizer = SafetensorsReader.open(checkpoint.resolve("optimizer.safetensors"))) {
            assertThat(optimizer.metadata()).containsEntry("step", "3");
            assertThat(optimizer.names()).hasSize(2 * 16) // lora_A and lora_B of 4 modules x 2 layers, 2 moments each
                    .contains("exp_avg.base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
        }
        // the checkpoint's adapter is a PEFT adapter in its own right
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            assertThat(lora.loadAdapter("checkpoint", checkpoint).config().loraDropout()).isEqualTo(0.1);
        }
    }

    @Test
    void resumingWithOtherSettingsOrDataIsRefusedWithTheDifferences(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        FineTuneSpec spec = spec(data, 0.1).toBuilder().checkpointEverySteps(1).maxSteps(8).build();
        try (FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("out"), manager)) {
            run.train(null, null, () -> FineTuneRun.latestCheckpoint(tmp.resolve("out")).isPresent());
        }
        Path checkpoint = FineTuneRun.latestCheckpoint(tmp.resolve("out")).orElseThrow();
        try (FineTuneRun run = FineTuneRun.prepare(spec.toBuilder().batchSize(3).learningRate(2e-2).build(),
                tmp.resolve("out"), manager)) {
            assertThatThrownBy(() -> run.resumeFrom(checkpoint)).isInstanceOfSatisfying(FineTuneException.class,
                    e -> assertThat(e.code()).isEqualTo(Code.UNSUPPORTED_CONFIG))
                    .hasMessageContaining("batch_size 4 -> 3").hasMessageContaining("learning_rate 0.01 -> 0.02");
            assertThat(run.state()).isEqualTo(FineTuneRun.State.PREPARED);
        }
        Path otherData = FineTuneTesting.dates(tmp.resolve("other"), "train.jsonl", 24, 99);
        try (FineTuneRun run = FineTuneRun.prepare(spec.toBuilder().trainData(otherData).build(), tmp.resolve("out"),
                manager)) {
            assertThatThrownBy(() -> run.resumeFrom(checkpoint)).hasMessageContaining("train_data_sha256");
        }
        try (FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("out"), manager)) {
            assertThatThrownBy(() -> run.resumeFrom(tmp.resolve("nothing-here")))
                    .isInstanceOfSatisfying(FineTuneException.class,
                            e -> assertThat(e.code()).isEqualTo(Code.STORAGE_ERROR))
                    .hasMessageContaining("trainer_state.json");
        }
    }

    @Test
    void onlyTheNewestCheckpointsAreKept(@TempDir Path tmp) throws Exception {
        FineTuneSpec spec = FineTuneTesting.spec(tmp.resolve("data")).maxSteps(4).checkpointEverySteps(1)
                .checkpointsToKeep(2).build();
        List<Integer> announced = new ArrayList<>();
        try (FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("out"), manager)) {
            run.train(null, (step, dir) -> {
                assertThat(dir.resolve("trainer_state.json")).isRegularFile();
                announced.add(step);
            }, null);
        }
        assertThat(announced).containsExactly(1, 2, 3, 4);
        try (var dirs = Files.list(tmp.resolve("out").resolve(FineTuneRun.CHECKPOINTS_DIR))) {
            assertThat(dirs.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("checkpoint-3",
                    "checkpoint-4");
        }
    }

    private static double maxAbsDiff(Path a, Path b) throws IOException {
        double max = 0;
        try (SafetensorsReader x = SafetensorsReader.open(a.resolve(LoraModel.WEIGHTS_FILE));
                SafetensorsReader y = SafetensorsReader.open(b.resolve(LoraModel.WEIGHTS_FILE))) {
            assertThat(y.names()).isEqualTo(x.names());
            for (String name : x.names()) {
                float[] u = x.tensor(name).toFloatArray();
                float[] v = y.tensor(name).toFloatArray();
                for (int i = 0; i < u.length; i++) {
                    max = Math.max(max, Math.abs(u[i] - v[i]));
                }
            }
        }
        return max;
    }
}
