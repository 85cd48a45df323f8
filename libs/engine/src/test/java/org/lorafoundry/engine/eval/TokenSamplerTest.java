package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Greedy choice, transformers' top-k / top-p rules, and seeded sampling, on hand-made logits. */
class TokenSamplerTest {
    static final float[] LOGITS = {1f, 3f, 2f, 3f, 0f};

    @Test
    void greedyTakesTheFirstMaximumAsTorchArgmax() {
        assertThat(new TokenSampler(GenerationConfig.greedy(1), 0).next(LOGITS)).isEqualTo(1);
        assertThat(TokenSampler.argmax(new float[] {-5f, -1f, -1f})).isEqualTo(1);
    }

    @Test
    void topKKeepsTheKBestAndTiesWithTheKth() {
        double[] scores = {1, 3, 2, 3, 0};
        TokenSampler.keepTopK(scores, 2);
        assertThat(scores).containsExactly(Double.NEGATIVE_INFINITY, 3, Double.NEGATIVE_INFINITY, 3,
                Double.NEGATIVE_INFINITY);
        double[] ties = {1, 3, 2, 2, 0};
        TokenSampler.keepTopK(ties, 2); // the 2nd best is 2, held by two tokens: both stay
        assertThat(ties).containsExactly(Double.NEGATIVE_INFINITY, 3, 2, 2, Double.NEGATIVE_INFINITY);
    }

    @Test
    void topPDropsTheTailWhoseCumulativeProbabilityIsAtMostOneMinusP() {
        // Probabilities 0.5, 0.3, 0.15, 0.05 (logs of them as scores).
        double[] p = {0.05, 0.5, 0.15, 0.3};
        double[] scores = Arrays.stream(p).map(Math::log).toArray();
        double[] keep75 = scores.clone();
        // Ascending cumulative: 0.05, 0.20, 0.50, 1.0; removed where <= 1 - 0.75: the 0.05 and 0.15 tokens.
        TokenSampler.keepTopP(keep75, 0.75);
        assertThat(keep75[0]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(keep75[2]).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(keep75[1]).isEqualTo(scores[1]);
        assertThat(keep75[3]).isEqualTo(scores[3]);
        // A tiny p keeps only the most probable token; p = 0.96 keeps all (the 0.05 tail is above 1 - 0.96).
        double[] keepTiny = scores.clone();
        TokenSampler.keepTopP(keepTiny, 0.01);
        assertThat(Arrays.stream(keepTiny).filter(Double::isFinite).count()).isEqualTo(1);
        assertThat(keepTiny[1]).isEqualTo(scores[1]);
        double[] keepMost = scores.clone();
        TokenSampler.keepTopP(keepMost, 0.96); // 0.05 > 1 - 0.96: kept
        assertThat(keepMost).containsExactly(scores);
    }

    @Test
    void samplingFollowsTheSoftmaxOfTheFilteredTemperedLogits() {
        GenerationConfig config = GenerationConfig.builder().temperature(2.0).topK(3).seed(11).build();
        TokenSampler sampler = new TokenSampler(config, config.seed());
        int draws = 40_000;
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.next(LOGITS)]++;
        }
        // Top-3 keeps logits 3, 2, 3; at temperature 2: weights e^1.5, e^1, e^1.5.
        double z = 2 * Math.exp(1.5) + Math.exp(1.0);
        assertThat(counts[0]).isZero();
        assertThat(counts[4]).isZero();
        assertThat(counts[1] / (double) draws).isCloseTo(Math.exp(1.5) / z, within(0.01));
        assertThat(counts[2] / (double) draws).isCloseTo(Math.exp(1.0) / z, within(0.01));
        assertThat(counts[3] / (double) draws).isCloseTo(Math.exp(1.5) / z, within(0.01));
    }

    @Test
    void theSameSeedDrawsTheSameTokens() {
        GenerationConfig config = GenerationConfig.builder().temperature(1.0).seed(5).build();
        int[] a = new int[50];
        int[] b = new int[50];
        int[] c = new int[50];
        TokenSampler first = new TokenSampler(config, 5);
        TokenSampler again = new TokenSampler(config, 5);
        TokenSampler other = new TokenSampler(config, 6);
        for (int i = 0; i < 50; i++) {
            a[i] = first.next(LOGITS);
            b[i] = again.next(LOGITS);
            c[i] = other.next(LOGITS);
        }
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> GenerationConfig.greedy(0)).hasMessageContaining("maxNewTokens");
        assertThatThrownBy(() -> GenerationConfig.builder().temperature(-1).build())
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> GenerationConfig.builder().temperature(Double.NaN).build())
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> GenerationConfig.builder().topP(0).build()).hasMessageContaining("topP");
        assertThatThrownBy(() -> GenerationConfig.builder().topP(1.5).build()).hasMessageContaining("topP");
        assertThatThrownBy(() -> GenerationConfig.builder().topK(-1).build()).hasMessageContaining("topK");
        assertThatThrownBy(() -> GenerationConfig.builder().stopSequences("").build()).hasMessageContaining("empty");
        GenerationConfig c = GenerationConfig.builder().maxNewTokens(9).temperature(0.7).topP(0.9).topK(4)
                .stopSequences("\n").seed(3).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.isGreedy()).isFalse();
        assertThat(GenerationConfig.greedy(4).isGreedy()).isTrue();
    }
}
