package org.lorafoundry.engine.eval;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link ModelEvaluation#evaluate} runs.
 *
 * @param maxExamples evaluate at most this many rows (0 = all)
 * @param shuffle pick the rows in a seeded random order ({@code Collections.shuffle(indices, new Random(seed))})
 *     instead of file order, before {@code maxExamples} is applied
 * @param seed the selection seed; generations with sampling derive their own seed from the generation config's seed
 *     and the row's line, so a row's answer does not depend on which other rows were chosen
 * @param generation how answers are generated
 * @param labels the label set for {@link Metric#ACCURACY}, or null
 * @param metrics what to compute; empty = every metric that applies (loss and perplexity; for prompt/completion
 *     and chat rows also exact match, strict exact match and token F1; accuracy when there is a label set)
 * @param maxSeqLength longest example in tokens for the loss pass (longer ones are cut at the right, as in training)
 *     and longest prompt for generation (longer ones keep their last tokens); GPT-2 never exceeds its n_positions
 * @param batchSize examples per forward pass in the loss pass (results do not depend on it beyond float rounding)
 * @param samples how many evaluated examples to return for reports (the first ones)
 */
public record EvaluationOptions(int maxExamples, boolean shuffle, long seed, GenerationConfig generation,
        LabelSet labels, Set<Metric> metrics, int maxSeqLength, int batchSize, int samples) {

    public EvaluationOptions {
        if (maxExamples < 0 || maxSeqLength < 2 || batchSize < 1 || samples < 0) {
            throw new IllegalArgumentException("maxExamples >= 0 (0 = all), maxSeqLength >= 2, batchSize >= 1 and"
                    + " samples >= 0 needed, got " + maxExamples + ", " + maxSeqLength + ", " + batchSize + ", "
                    + samples);
        }
        Objects.requireNonNull(generation, "generation");
        metrics = metrics.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(metrics));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Defaults: all rows in file order, greedy answers of up to 64 tokens, every metric that applies, 1024 tokens,
     * batches of 8, 5 samples.
     */
    public static final class Builder {
        private int maxExamples;
        private boolean shuffle;
        private long seed;
        private GenerationConfig generation = GenerationConfig.greedy(64);
        private LabelSet labels;
        private Set<Metric> metrics = Set.of();
        private int maxSeqLength = 1024;
        private int batchSize = 8;
        private int samples = 5;

        public Builder maxExamples(int v) {
            maxExamples = v;
            return this;
        }

        /** Rows in a random order drawn from {@code seed}. */
        public Builder shuffle(long v) {
            shuffle = true;
            seed = v;
            return this;
        }

        public Builder generation(GenerationConfig v) {
            generation = v;
            return this;
        }

        public Builder labels(LabelSet v) {
            labels = v;
            return this;
        }

        public Builder labels(String... v) {
            return labels(LabelSet.of(v));
        }

        public Builder metrics(Set<Metric> v) {
            metrics = v;
            return this;
        }

        public Builder metrics(Metric first, Metric... rest) {
            return metrics(EnumSet.of(first, rest));
        }

        public Builder maxSeqLength(int v) {
            maxSeqLength = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder samples(int v) {
            samples = v;
            return this;
        }

        public EvaluationOptions build() {
            return new EvaluationOptions(maxExamples, shuffle, seed, generation, labels, metrics, maxSeqLength,
                    batchSize, samples);
        }
    }
}
