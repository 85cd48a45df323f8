package org.lorafoundry.engine.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.PythonOracle;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;

/**
 * The KL term of a training step against PyTorch + PEFT ({@code scripts/kl_oracle.py}) on the same adapter and
 * reference batch. Skipped (with the reason) without a Python oracle.
 */
class KlDivergenceIT {

    @Test
    void theStepsKlEqualsTorchs(@TempDir Path tmp) throws Exception {
        Path python = PythonOracle.requireOrSkip("KL term against PyTorch");
        long[] ids = {1, 40, 52, 61, 70, 85, 90, 101, 120, 133, 1, 44, 45, 46, 47, 48, 49, 2, 2, 2};
        long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
        long[] labels = ids.clone();
        for (int i = 0; i < mask.length; i++) {
            labels[i] = mask[i] == 0 ? TrainingBatch.IGNORE_INDEX : ids[i];
        }
        TrainingBatch reference = new TrainingBatch(ids, mask, labels, 2, 10);
        new SafetensorsWriter().put("input_ids", new long[] {2, 10}, ids)
                .put("attention_mask", new long[] {2, 10}, mask).write(tmp.resolve("batch.safetensors"));
        StepMetrics m;
        try (NDManager manager = EngineRuntime.newManager();
                LoraModel lora = LoraModel.load(Fixtures.model("llama"), manager)) {
            lora.createAdapter("a", LoraConfig.builder().targetModules("q_proj", "v_proj", "down_proj").r(4)
                    .loraAlpha(16).initLoraWeights("false").build(), 11);
            lora.saveAdapter("a", tmp.resolve("adapter")); // the weights the step's KL is measured with
            try (LoraTrainer trainer = new LoraTrainer(lora, "a", TrainingConfig.builder().maxSteps(1).klWeight(1)
                    .build())) {
                m = trainer.step(List.of(new TrainingBatch(new long[] {1, 7, 8, 9}, null, new long[] {-100, 7, 8, 9},
                        1, 4)), reference);
            }
        }
        String out = PythonOracle.check(python, 300, PythonOracle.script("kl_oracle.py").toString(), "--base",
                Fixtures.model("llama").toString(), "--adapter", tmp.resolve("adapter").toString(), "--batch",
                tmp.resolve("batch.safetensors").toString());
        JsonNode torch = Fixtures.JSON.readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON from kl_oracle.py:\n" + out)));
        double kl = m.klDivergence().getAsDouble();
        double loss = m.referenceLoss().getAsDouble();
        System.out.printf("[kl vs torch] KL %.9f vs %.9f (rel diff %.1e), reference loss %.9f vs %.9f (rel diff"
                + " %.1e)%n", kl, torch.get("kl").asDouble(), Math.abs(kl / torch.get("kl").asDouble() - 1), loss,
                torch.get("reference_loss").asDouble(), Math.abs(loss / torch.get("reference_loss").asDouble() - 1));
        assertThat(torch.get("positions").asLong()).isEqualTo(KlDivergence.positions(reference));
        assertThat(torch.get("tokens").asLong()).isEqualTo(reference.labelledTokens());
        assertThat(kl).isGreaterThan(0.01).isCloseTo(torch.get("kl").asDouble(), within(1e-5 * kl));
        assertThat(loss).isCloseTo(torch.get("reference_loss").asDouble(), within(1e-5 * loss));
    }
}
