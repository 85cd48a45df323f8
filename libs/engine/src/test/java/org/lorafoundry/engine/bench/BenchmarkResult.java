package org.lorafoundry.engine.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one side measured in one run, written as JSON (snake_case) for {@code scripts/benchmark.py}; the PEFT side
 * writes the same fields.
 *
 * @param side {@code engine} or {@code peft}
 * @param tokensPerSecond input tokens of the timed steps / their wall time
 * @param stepSeconds wall time of every timed optimizer step
 * @param tokensPerCpuSecond input tokens of the timed steps / the CPU time (user + system, all threads) the process
 *     spent on them: less sensitive than wall time to other processes on a shared machine
 * @param cpuSeconds CPU time of every timed optimizer step
 * @param tokensPerStep input tokens of one optimizer step (all its micro-batches)
 * @param losses the reported loss of every step, warm-up included (the first equals the other side's: same base,
 *     same batch, {@code lora_B} = 0)
 * @param loadSeconds from process start to the first training step (engine start, model load, adapter creation)
 * @param memory at the end of the run; {@code peak_rss} is the kernel's high-water mark of the whole process
 * @param runtime what else matters to read the numbers: threads actually used, library versions, heap sizes
 */
public record BenchmarkResult(String side, String name, double tokensPerSecond, List<Double> stepSeconds,
        double tokensPerCpuSecond, List<Double> cpuSeconds, long tokensPerStep, List<Double> losses,
        long trainableParameters, long allParameters, double loadSeconds, ProcessMemory memory,
        Map<String, Object> runtime) {

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, BenchmarkCase.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(this));
    }
}
