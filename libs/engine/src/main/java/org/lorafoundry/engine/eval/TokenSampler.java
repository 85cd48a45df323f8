package org.lorafoundry.engine.eval;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from one row of logits as transformers' {@code generate} does: greedy = argmax (the first
 * maximum, as {@code torch.argmax}); sampling = the logits divided by the temperature, then the top-k filter, then the
 * top-p filter (transformers' warper order and rules: top-k keeps ties with the k-th value; top-p drops the least
 * probable tokens whose cumulative probability is at most {@code 1 - top_p}, always keeping the most probable), then a
 * draw from the softmax. Random numbers come from {@code java.util.Random(seed)}, so draws are reproducible here but
 * not the same as torch's {@code multinomial}. Arithmetic is in double. Not thread-safe (one per generation).
 */
final class TokenSampler {
    private final GenerationConfig config;
    private final Random random;

    TokenSampler(GenerationConfig config, long seed) {
        this.config = config;
        this.random = new Random(seed);
    }

    /** The next token id for {@code logits} (one vocabulary row). */
    int next(float[] logits) {
        if (config.isGreedy()) {
            return argmax(logits);
        }
        double[] scores = new double[logits.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = logits[i] / config.temperature();
        }
        if (config.topK() > 0 && config.topK() < scores.length) {
            keepTopK(scores, config.topK());
        }
        if (config.topP() < 1) {
            keepTopP(scores, config.topP());
        }
        return draw(softmax(scores));
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** transformers' {@code TopKLogitsWarper}: scores below the k-th largest become -inf. */
    static void keepTopK(double[] scores, int k) {
        double[] sorted = scores.clone();
        Arrays.sort(sorted);
        double kth = sorted[sorted.length - k];
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < kth) {
                scores[i] = Double.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * transformers' {@code TopPLogitsWarper}: in ascending order of score, tokens whose cumulative probability is at
     * most {@code 1 - topP} become -inf; the most probable token always stays.
     */
    static void keepTopP(double[] scores, double topP) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Ascending and stable (equal scores in index order): which of two tied tail tokens goes first is arbitrary
        // in torch too; it only matters when the cut falls between them.
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] probs = softmax(scores);
        double cumulative = 0;
        for (int r = 0; r < order.length - 1; r++) {
            cumulative += probs[order[r]];
            if (cumulative <= 1 - topP) {
                scores[order[r]] = Double.NEGATIVE_INFINITY;
            }
        }
    }

    static double[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double[] p = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private int draw(double[] probs) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] == 0) {
                continue;
            }
            cumulative += probs[i];
            last = i;
            if (u < cumulative) {
                return i;
            }
        }
        return last; // rounding left u above the total: the last token with any probability
    }
}
