package org.lorafoundry.engine.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraConfigJson;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.lora.ParameterCount;
import org.lorafoundry.engine.train.LoraTrainer;
import org.lorafoundry.engine.train.LrSchedule;
import org.lorafoundry.engine.train.StepMetrics;
import org.lorafoundry.engine.train.TrainingBatch;
import org.lorafoundry.engine.train.TrainingConfig;

/**
 * The engine's side of {@code scripts/benchmark.py}: LoRA training with {@link LoraTrainer} on a
 * {@link BenchmarkCase}, timed per optimizer step after the warm-up steps, written as a {@link BenchmarkResult}.
 * One case per process, so the process's peak memory is the case's.
 *
 * <p>It lives with the tests (it is a measuring harness, not a product entry point; the CLI will have its own
 * {@code train} command) and runs on the test classpath: {@code java -cp target/test-classes:target/classes:<deps>
 * org.lorafoundry.engine.bench.TrainingBenchmark case.json}.
 */
public final class TrainingBenchmark {
    private static final String ADAPTER = "bench";
    /** CPU time of the whole process (every thread: libtorch's OpenMP workers included). */
    private static final OperatingSystemMXBean PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private TrainingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: TrainingBenchmark CASE.json   (written by libs/engine/scripts/benchmark.py)");
            System.exit(2);
        }
        BenchmarkCase c = BenchmarkCase.read(Path.of(args[0]));
        run(c).write(c.result());
    }

    static BenchmarkResult run(BenchmarkCase c) throws Exception {
        // libtorch reads these when the engine starts; the command line may already have set them.
        System.setProperty("ai.djl.pytorch.num_threads",
                System.getProperty("ai.djl.pytorch.num_threads", Integer.toString(c.threads())));
        System.setProperty("ai.djl.pytorch.num_interop_threads",
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        List<TrainingBatch> batches = BenchmarkBatches.read(c.batches());
        int needed = c.totalSteps() * c.gradientAccumulationSteps();
        if (batches.size() < needed) {
            throw new IllegalArgumentException(c.batches() + " holds " + batches.size() + " micro-batches; "
                    + c.totalSteps() + " steps x " + c.gradientAccumulationSteps() + " need " + needed);
        }
        LoraConfig lora = LoraConfigJson.parse(BenchmarkCase.JSON.writeValueAsString(c.lora()), c.name() + " lora");
        TrainingConfig training = TrainingConfig.builder().learningRate(c.learningRate()).weightDecay(c.weightDecay())
                .maxGradNorm(c.maxGradNorm()).schedule(LrSchedule.LINEAR).warmupSteps(0).maxSteps(c.totalSteps())
                .gradientAccumulationSteps(c.gradientAccumulationSteps()).seed(c.seed()).build();

        try (NDManager manager = EngineRuntime.newManager();
             LoraModel model = LoraModel.load(c.modelDir(), manager)) {
            model.createAdapter(ADAPTER, lora, c.seed());
            ParameterCount count = model.parameterCount(ADAPTER);
            List<Double> losses = new ArrayList<>();
            List<Double> timed = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            long tokensPerStep = 0;
            double loadSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            try (LoraTrainer trainer = new LoraTrainer(model, ADAPTER, training)) {
                for (int s = 0; s < c.totalSteps(); s++) {
                    boolean measured = s >= c.warmupSteps();
                    if (measured && s == c.warmupSteps() && c.profileTrace() != null) {
                        JniUtils.startProfile(false, true, false);
                    }
                    int first = s * c.gradientAccumulationSteps();
                    List<TrainingBatch> group = batches.subList(first, first + c.gradientAccumulationSteps());
                    long start = System.nanoTime();
                    long cpuStart = PROCESS.getProcessCpuTime();
                    StepMetrics m = trainer.step(group);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double cpuSeconds = (PROCESS.getProcessCpuTime() - cpuStart) / 1e9;
                    losses.add(m.loss());
                    tokensPerStep = m.tokens();
                    if (measured) {
                        timed.add(seconds);
                        cpu.add(cpuSeconds);
                    }
                    System.err.printf("[engine] %s step %d/%d%s: loss %.6f, %.2f s (CPU %.2f s)%n", c.name(), s + 1,
                            c.totalSteps(), measured ? "" : " (warm-up)", m.loss(), seconds, cpuSeconds);
                }
                if (c.profileTrace() != null) {
                    Files.createDirectories(c.profileTrace().toAbsolutePath().getParent());
                    JniUtils.stopProfile(c.profileTrace().toString());
                }
            }
            double tokens = tokensPerStep * timed.size();
            return new BenchmarkResult("engine", c.name(), tokens / sum(timed), timed, tokens / sum(cpu), cpu,
                    tokensPerStep, losses,
                    count.trainable(), count.total(), loadSeconds, ProcessMemory.ofSelf(), runtime());
        }
    }

    private static double sum(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).sum();
    }

    private static Map<String, Object> runtime() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("intra_op_threads", JniUtils.getNumThreads());
        r.put("inter_op_threads", JniUtils.getNumInteropThreads());
        r.put("libtorch", EngineRuntime.engine().getVersion());
        r.put("java", Runtime.version().toString());
        r.put("jvm_options", ManagementFactory.getRuntimeMXBean().getInputArguments());
        Runtime jvm = Runtime.getRuntime();
        r.put("java_heap_max", jvm.maxMemory());
        r.put("java_heap_committed", jvm.totalMemory());
        long peakUsed = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peakUsed += pool.getPeakUsage().getUsed();
            }
        }
        r.put("java_heap_peak_used", peakUsed);
        return r;
    }
}
