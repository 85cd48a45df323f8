package org.lorafoundry.engine.eval;

import java.util.List;

/**
 * How {@link Generator} picks tokens, with transformers' names and meanings ({@code GenerationConfig}).
 *
 * @param maxNewTokens most tokens to generate ({@code max_new_tokens}), at least 1
 * @param temperature 0 = greedy (argmax, {@code do_sample=False}); above 0 the logits are divided by it and sampled
 * @param topP nucleus sampling: keep the most probable tokens whose cumulative probability reaches {@code topP}
 *     ((0, 1]; 1 = off)
 * @param topK keep only the {@code topK} most probable tokens (0 = off, as in transformers)
 * @param stopSequences generation stops when the decoded text contains one; it is cut from the output
 * @param seed seeds the sampler ({@code java.util.Random}): the same seed, model and prompt give the same tokens
 */
public record GenerationConfig(int maxNewTokens, double temperature, double topP, int topK,
        List<String> stopSequences, long seed) {

    public GenerationConfig {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or a positive number, got "
                    + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be 0 (off) or positive, got " + topK);
        }
        stopSequences = List.copyOf(stopSequences);
        for (String s : stopSequences) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop sequences must not be empty strings");
            }
        }
    }

    /** Greedy decoding of at most {@code maxNewTokens} tokens, no stop sequences. */
    public static GenerationConfig greedy(int maxNewTokens) {
        return builder().maxNewTokens(maxNewTokens).build();
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxNewTokens(maxNewTokens).temperature(temperature).topP(topP).topK(topK)
                .stopSequences(stopSequences).seed(seed);
    }

    /** Defaults: 64 new tokens, greedy, no top-p / top-k filter, no stop sequences, seed 0. */
    public static final class Builder {
        private int maxNewTokens = 64;
        private double temperature;
        private double topP = 1.0;
        private int topK;
        private List<String> stopSequences = List.of();
        private long seed;

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder stopSequences(List<String> v) {
            stopSequences = v;
            return this;
        }

        public Builder stopSequences(String... v) {
            return stopSequences(List.of(v));
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, temperature, topP, topK, stopSequences, seed);
        }
    }
}
