package org.lorafoundry.engine.finetune;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.lora.LoraConfig;

/**
 * Native memory stays flat over a long run: 1,000 optimizer steps on the tiny llama fixture with every feature on
 * (lora_dropout, the KL term on reference batches, validation and checkpoints every 250 steps). The number of arrays
 * the managers hold must not change after the first step, and the process RSS must not grow between step 200 and
 * step 1,000 beyond {@link #RSS_GROWTH_LIMIT_MB}. Needs a fixed, pre-touched Java heap ({@code -Xms = -Xmx},
 * {@code -XX:+AlwaysPreTouch}, as failsafe is configured), else heap regions touched late look like growth.
 */
class TrainingMemoryIT {
    /** Allocator noise allowance; a leak of one activation per step would add ~1,000 x (2 x 32 x 320 x 4 B) = 80 MB. */
    static final long RSS_GROWTH_LIMIT_MB = 24;

    @Test
    void thousandStepsLeaveNoArraysAndNoNativeMemoryBehind(@TempDir Path tmp) throws IOException {
        // the Java heap's regions become resident as the collector cycles through them: only a heap of fixed size,
        // touched at start, leaves RSS changes to native memory (failsafe runs ITs so; see the pom)
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments()).as("JVM flags")
                .contains("-XX:+AlwaysPreTouch");
        Path data = tmp.resolve("data");
        FineTuneSpec spec = FineTuneTesting.spec(data).lora(LoraConfig.builder().r(4).loraDropout(0.1)
                        .targetModulesRegex("all-linear").build())
                .batchSize(2).gradientAccumulationSteps(1).maxSeqLength(32).maxSteps(1000).learningRate(1e-3)
                .referenceData(FineTuneTesting.generalText(data, "reference.jsonl", 8, 5)).referenceBatchSize(2)
                .klWeight(0.5).evalEverySteps(250).checkpointEverySteps(250).checkpointsToKeep(1).build();
        List<Integer> arrays = new ArrayList<>();
        long[] rssKb = new long[1001];
        long start = System.nanoTime();
        try (NDManager root = EngineRuntime.newManager();
                FineTuneRun run = FineTuneRun.prepare(spec, tmp.resolve("out"), root)) {
            FineTuneResult r = run.train(p -> {
                arrays.add(root.getManagedArrays().size());
                rssKb[p.step()] = rssKb();
                if (p.step() % 100 == 0) {
                    System.out.printf("[memory] step %d: %d arrays, RSS %d MB, loss %.3f, %.0f tokens/s%n", p.step(),
                            arrays.get(arrays.size() - 1), rssKb[p.step()] / 1024, p.loss(), p.tokensPerSecond());
                }
            }, null, null);
            assertThat(r.steps()).isEqualTo(1000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long growthMb = (rssKb[1000] - rssKb[200]) / 1024;
        long peakAfter200Mb = 0;
        for (int s = 200; s <= 1000; s++) {
            peakAfter200Mb = Math.max(peakAfter200Mb, rssKb[s] / 1024);
        }
        System.out.printf("[memory] 1000 steps in %.1f s; arrays %d after step 1, %d after step 1000; RSS %d MB at"
                + " step 200, %d MB at step 1000 (growth %d MB, peak %d MB)%n", seconds, arrays.get(0),
                arrays.get(999), rssKb[200] / 1024, rssKb[1000] / 1024, growthMb, peakAfter200Mb);
        assertThat(arrays).as("managed arrays after every step").containsOnly(arrays.get(0));
        assertThat(growthMb).as("RSS growth between step 200 and 1000, MB").isLessThan(RSS_GROWTH_LIMIT_MB);
    }

    /** This process's resident set (Linux {@code /proc/self/status} VmRSS), in KiB. */
    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/status (Linux only)", e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
