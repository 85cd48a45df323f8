package org.lorafoundry.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * By hand, not a test: greedy generation speed with the KV cache against re-reading the whole sequence for every
 * token, on a model written by {@code scripts/bench_generation.py} (same prompt ids, so the printed ids can be
 * compared with transformers'). Median of the repeats after one warm-up.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat cp.txt) org.lorafoundry.engine.eval.GenerationBenchmark \
 *     /tmp/bench-llama 32 64 3
 * </pre>
 */
public final class GenerationBenchmark {
    private GenerationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int promptTokens = Integer.parseInt(args[1]);
        int newTokens = Integer.parseInt(args[2]);
        int repeats = Integer.parseInt(args[3]);
        long[] prompt = new long[promptTokens];
        for (int i = 0; i < promptTokens; i++) {
            prompt[i] = 3 + i % 300;
        }
        try (NDManager manager = EngineRuntime.newManager(); LoraModel model = LoraModel.load(dir, manager);
                HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            Generator generator = new Generator(model, tokenizer, new EosTokens(Set.of()));
            long[][] cached = new long[1][];
            double withCache = median(repeats, () -> {
                cached[0] = generator.generate(prompt, null, GenerationConfig.greedy(newTokens)).tokenIds();
                return null;
            });
            long[][] recomputed = new long[1][];
            double without = median(repeats, () -> {
                recomputed[0] = withoutCache(model, manager, prompt, newTokens);
                return null;
            });
            System.out.printf("engine, KV cache:       %d tokens after %d in %.3f s = %.1f tokens/s%n", newTokens,
                    promptTokens, withCache, newTokens / withCache);
            System.out.printf("engine, full sequence:  %d tokens after %d in %.3f s = %.1f tokens/s (%.1fx slower)%n",
                    newTokens, promptTokens, without, newTokens / without, without / withCache);
            System.out.println("same ids: " + Arrays.equals(cached[0], recomputed[0]));
            System.out.println("ids " + Arrays.toString(cached[0]));
        }
    }

    /** Greedy decoding that reads the whole sequence again for each new token. */
    private static long[] withoutCache(LoraModel model, NDManager manager, long[] prompt, int newTokens) {
        long[] seq = Arrays.copyOf(prompt, prompt.length + newTokens);
        for (int n = prompt.length; n < seq.length; n++) {
            try (NDManager step = manager.newSubManager()) {
                NDArray logits = model.forward(step.create(Arrays.copyOf(seq, n), new Shape(1, n)), null, null);
                seq[n] = TokenSampler.argmax(logits.get(new NDIndex(":, -1, :")).toFloatArray());
            }
        }
        return Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    private static double median(int repeats, Supplier<Void> run) {
        run.get();
        List<Double> times = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            run.get();
            times.add((System.nanoTime() - start) / 1e9);
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }
}
