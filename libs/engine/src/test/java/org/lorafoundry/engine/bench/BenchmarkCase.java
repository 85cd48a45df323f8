package org.lorafoundry.engine.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One benchmark run as {@code scripts/benchmark.py} writes it ({@code case.json}, snake_case); the PEFT side
 * ({@code scripts/benchmark_peft.py}) reads the same file, so both train on the same model, batches and settings.
 *
 * @param name e.g. {@code gpt2-small r=8}
 * @param modelDir a Hugging Face model directory ({@code save_pretrained})
 * @param batches safetensors with I64 {@code input_ids} and {@code labels}, {@code [micro-batches, batch, length]};
 *     micro-batch {@code i} of the run is row {@code i}
 * @param lora the adapter's {@code adapter_config.json} fields (PEFT names)
 * @param warmupSteps optimizer steps run first and not timed
 * @param steps optimizer steps timed
 * @param threads intra-op threads of libtorch (the same number on both sides)
 * @param profileTrace where to write libtorch's profiler trace of the timed steps, or null (not profiled)
 * @param result where to write the {@link BenchmarkResult}
 */
public record BenchmarkCase(String name, Path modelDir, Path batches, JsonNode lora, int warmupSteps, int steps,
        int gradientAccumulationSteps, double learningRate, double weightDecay, double maxGradNorm, long seed,
        int threads, Path profileTrace, Path result) {

    /** snake_case as Python writes it; paths as plain strings (Jackson's default writes {@code file://} URIs). */
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .registerModule(new SimpleModule().addSerializer(Path.class, ToStringSerializer.instance));

    public BenchmarkCase {
        require(modelDir != null && batches != null && lora != null && result != null,
                "model_dir, batches, lora and result are required");
        require(warmupSteps >= 0, "warmup_steps must be >= 0: " + warmupSteps);
        require(steps >= 1, "steps must be >= 1: " + steps);
        require(gradientAccumulationSteps >= 1, "gradient_accumulation_steps must be >= 1: "
                + gradientAccumulationSteps);
        require(threads >= 1, "threads must be >= 1: " + threads);
    }

    /** Optimizer steps in all, warm-up included. */
    public int totalSteps() {
        return warmupSteps + steps;
    }

    public static BenchmarkCase read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readString(file), BenchmarkCase.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot read benchmark case " + file + ": " + e.getMessage(), e);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
