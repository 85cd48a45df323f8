package org.lorafoundry.engine.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.PythonOracle;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;

/**
 * The benchmark measures the same work on both sides: one case file, the engine's {@link TrainingBenchmark} (in this
 * JVM) and {@code scripts/benchmark_peft.py} (transformers + PEFT) on the tiny llama fixture report the same trainable
 * parameters and the same first-step loss (same base, same batch, {@code lora_B} = 0), and results whose figures agree
 * with each other. A few seconds; skipped (with the reason) without a Python oracle.
 */
class TrainingBenchmarkIT {
    private static final int BATCH = 2;
    private static final int LENGTH = 16;

    @Test
    void bothSidesTrainTheSameCaseAndReportConsistentFigures(@TempDir Path tmp) throws Exception {
        Path python = PythonOracle.requireOrSkip("benchmark harness against transformers + PEFT");
        Path model = Fixtures.model("llama");
        int vocab = Fixtures.json(model.resolve("config.json")).get("vocab_size").asInt();
        int microBatches = 3;
        long[] ids = new long[microBatches * BATCH * LENGTH];
        Random random = new Random(7);
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(vocab);
        }
        long[] shape = {microBatches, BATCH, LENGTH};
        Path batches = tmp.resolve("batches.safetensors");
        new SafetensorsWriter().put("input_ids", shape, ids).put("labels", shape, ids).write(batches);

        ObjectNode lora = BenchmarkCase.JSON.createObjectNode().put("peft_type", "LORA").put("task_type", "CAUSAL_LM")
                .put("r", 4).put("lora_alpha", 8).put("lora_dropout", 0.05).put("bias", "none");
        lora.putArray("target_modules").add("q_proj").add("v_proj");
        BenchmarkCase engineCase = new BenchmarkCase("llama fixture r=4", model, batches, lora, 1, 2, 1, 1e-3, 0.0,
                1.0, 42, 2, null, tmp.resolve("engine.json"));
        BenchmarkResult engine = TrainingBenchmark.run(engineCase);

        Path peftCase = tmp.resolve("peft.case.json");
        Files.writeString(peftCase, BenchmarkCase.JSON.writeValueAsString(new BenchmarkCase(engineCase.name(), model,
                batches, lora, 1, 2, 1, 1e-3, 0.0, 1.0, 42, 2, null, tmp.resolve("peft.json"))));
        PythonOracle.check(python, 300, PythonOracle.script("benchmark_peft.py").toString(), peftCase.toString());
        JsonNode peft = BenchmarkCase.JSON.readTree(tmp.resolve("peft.json").toFile());

        System.out.printf("[benchmark harness] first-step loss engine %.7f, PEFT %.7f; trainable %d / %d%n",
                engine.losses().get(0), peft.get("losses").get(0).asDouble(), engine.trainableParameters(),
                peft.get("trainable_parameters").asLong());
        assertThat(peft.get("side").asText()).isEqualTo("peft");
        assertThat(engine.trainableParameters()).isPositive().isEqualTo(peft.get("trainable_parameters").asLong());
        assertThat(engine.losses()).hasSize(3);
        assertThat(peft.get("losses")).hasSize(3);
        assertThat(engine.losses().get(0)).isCloseTo(peft.get("losses").get(0).asDouble(),
                within(1e-5 * engine.losses().get(0)));
        assertConsistent(engine.tokensPerSecond(), engine.stepSeconds(), engine.tokensPerStep());
        assertConsistent(engine.tokensPerCpuSecond(), engine.cpuSeconds(), engine.tokensPerStep());
        assertMemory(engine.memory().peakRss(), engine.memory().rss());
        assertConsistent(peft.get("tokens_per_second").asDouble(), doubles(peft.get("step_seconds")),
                peft.get("tokens_per_step").asLong());
        assertConsistent(peft.get("tokens_per_cpu_second").asDouble(), doubles(peft.get("cpu_seconds")),
                peft.get("tokens_per_step").asLong());
        assertMemory(peft.get("memory").get("peak_rss").asLong(), peft.get("memory").get("rss").asLong());
        assertThat(engine.runtime().get("intra_op_threads")).isNotNull();
        assertThat(peft.get("runtime").get("intra_op_threads").asInt()).isEqualTo(2);
    }

    /**
     * Two timed steps of BATCH x LENGTH tokens; the rate (per wall or CPU second) is what those figures give. A step
     * this small may take less CPU time than the kernel's accounting tick (10 ms), so one step may read 0; both not.
     */
    private static void assertConsistent(double tokensPerSecond, List<Double> stepSeconds, long tokensPerStep) {
        assertThat(stepSeconds).hasSize(2).allSatisfy(s -> assertThat(s).isNotNegative());
        assertThat(tokensPerStep).isEqualTo(BATCH * LENGTH);
        double total = stepSeconds.stream().mapToDouble(Double::doubleValue).sum();
        assertThat(total).isPositive();
        assertThat(tokensPerSecond).isCloseTo(2 * tokensPerStep / total, within(1e-6 * tokensPerSecond));
    }

    private static void assertMemory(long peakRss, long rss) {
        assertThat(rss).isPositive();
        assertThat(peakRss).isGreaterThanOrEqualTo(rss);
    }

    private static List<Double> doubles(JsonNode array) {
        return BenchmarkCase.JSON.convertValue(array, BenchmarkCase.JSON.getTypeFactory()
                .constructCollectionType(List.class, Double.class));
    }
}
