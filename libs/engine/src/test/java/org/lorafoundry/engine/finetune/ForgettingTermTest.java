package org.lorafoundry.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;

/** The KL term in whole runs: measured without changing anything at weight 0, limiting forgetting above it. */
class ForgettingTermTest {
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
    void atWeightZeroTheKlIsReportedButTrainingIsUnchanged(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        FineTuneSpec plain = FineTuneTesting.spec(data).lora(LoraConfig.builder().r(4).loraDropout(0.2)
                .targetModules("q_proj", "v_proj").build()).maxSteps(6).build();
        FineTuneSpec measured = plain.toBuilder()
                .referenceData(FineTuneTesting.generalText(data, "reference.jsonl", 8, 5)).klWeight(0).build();
        List<FineTuneProgress> a = new ArrayList<>();
        List<FineTuneProgress> b = new ArrayList<>();
        FineTuneResult ra;
        FineTuneResult rb;
        try (FineTuneRun run = FineTuneRun.prepare(plain, tmp.resolve("a"), manager)) {
            ra = run.train(a::add, null, null);
        }
        try (FineTuneRun run = FineTuneRun.prepare(measured, tmp.resolve("b"), manager)) {
            rb = run.train(b::add, null, null);
        }
        assertThat(a).allSatisfy(p -> assertThat(p.klDivergence()).isEmpty());
        assertThat(b).allSatisfy(p -> {
            assertThat(p.klDivergence()).isPresent();
            assertThat(p.referencePerplexity()).isPresent();
        });
        assertThat(b.get(5).klDivergence().getAsDouble()).as("the adapter moved away from the base").isPositive();
        assertThat(b).extracting(FineTuneProgress::loss).containsExactlyElementsOf(
                a.stream().map(FineTuneProgress::loss).toList());
        assertThat(b).extracting(FineTuneProgress::gradNorm).containsExactlyElementsOf(
                a.stream().map(FineTuneProgress::gradNorm).toList());
        assertThat(Files.readAllBytes(rb.adapterDirectory().orElseThrow().resolve(LoraModel.WEIGHTS_FILE)))
                .isEqualTo(Files.readAllBytes(ra.adapterDirectory().orElseThrow().resolve(LoraModel.WEIGHTS_FILE)));
        assertThat(ra.metrics()).doesNotContainKeys("kl_divergence", "reference_perplexity");
        assertThat(rb.metrics()).containsKeys("kl_divergence", "reference_loss", "reference_perplexity",
                "base_reference_perplexity");
    }

    @Test
    void aKlWeightKeepsTheReferencePerplexityCloserToTheBase(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        FineTuneSpec spec = FineTuneTesting.spec(data).lora(LoraConfig.builder().r(8).loraAlpha(16)
                        .targetModulesRegex("all-linear").build()).learningRate(2e-2).maxSteps(24)
                .referenceData(FineTuneTesting.generalText(data, "reference.jsonl", 16, 5)).referenceBatchSize(4)
                .build();
        Forgetting without = forgetting(spec.toBuilder().klWeight(0).build(), tmp.resolve("without"));
        Forgetting with = forgetting(spec.toBuilder().klWeight(2).build(), tmp.resolve("with"));
        System.out.printf("[forgetting] base reference perplexity %.2f; after training without KL %.2f (KL %.4f),"
                + " with 2 x KL %.2f (KL %.4f); task loss %.4f vs %.4f%n", without.base, without.adapter, without.kl,
                with.adapter, with.kl, without.taskLoss, with.taskLoss);
        assertThat(with.base).isEqualTo(without.base);
        assertThat(without.shift()).as("training on dates moves the general-text perplexity").isGreaterThan(0.05);
        assertThat(with.shift()).isLessThan(without.shift() / 2);
        assertThat(with.kl).isLessThan(without.kl / 2);
        assertThat(with.taskLoss).as("the task is still learned").isLessThan(with.firstTaskLoss - 0.5);
    }

    /** Reference perplexities of base and adapter after a run, the final KL and the task loss curve's ends. */
    private record Forgetting(double base, double adapter, double kl, double firstTaskLoss, double taskLoss) {
        /** Relative change of the reference perplexity. */
        double shift() {
            return Math.abs(adapter - base) / base;
        }
    }

    private static Forgetting forgetting(FineTuneSpec spec, Path out) throws IOException {
        try (FineTuneRun run = FineTuneRun.prepare(spec, out, manager)) {
            FineTuneResult r = run.train(null, null, null);
            return new Forgetting(r.metrics().get("base_reference_perplexity"), r.metrics().get("reference_perplexity"),
                    r.metrics().get("kl_divergence"), r.lossCurve().get(0).loss(), r.metrics().get("validation_loss"));
        }
    }
}
