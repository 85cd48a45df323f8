package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The text metrics against values computed by hand with SQuAD's definitions. */
class MetricsTest {

    @Test
    void normalisationLowerCasesDropsAsciiPunctuationArticlesAndExtraSpace() {
        assertThat(SquadNormalizer.normalize("The  Cat's hat!")).isEqualTo("cats hat");
        assertThat(SquadNormalizer.normalize("  A dog, an apple; THE end.  ")).isEqualTo("dog apple end");
        // Articles only as whole words; punctuation goes first, so "the-end" becomes "theend" and stays.
        assertThat(SquadNormalizer.normalize("theater another the-end")).isEqualTo("theater another theend");
        // Unicode letters are word characters (as in Python's re): "a" inside "éa" and "añ" is no article.
        assertThat(SquadNormalizer.normalize("Éa añ the")).isEqualTo("éa añ");
        // Only string.punctuation is removed: an em dash and inverted question mark stay.
        assertThat(SquadNormalizer.normalize("¿Qué — sí?")).isEqualTo("¿qué — sí");
        // Any Unicode whitespace separates words (tab, newline, no-break space, ideographic space).
        assertThat(SquadNormalizer.normalize("May\t10,\n1965\u00a0ok\u3000x")).isEqualTo("may 10 1965 ok x");
        assertThat(SquadNormalizer.normalize(" the . a ")).isEmpty();
        assertThat(SquadNormalizer.tokens("May 10, 1965")).containsExactly("may", "10", "1965");
        assertThat(SquadNormalizer.tokens("...")).isEmpty();
    }

    @Test
    void exactMatchNormalisedAndStrict() {
        assertThat(ExactMatch.normalized(" May 10, 1965.", "may 10 1965")).isEqualTo(1.0);
        assertThat(ExactMatch.normalized("The answer", "answer")).isEqualTo(1.0);
        assertThat(ExactMatch.normalized("May 10, 1966", "May 10, 1965")).isEqualTo(0.0);
        // Strict: only surrounding whitespace is forgiven.
        assertThat(ExactMatch.strict(" May 10, 1965\n", "May 10, 1965")).isEqualTo(1.0);
        assertThat(ExactMatch.strict("may 10, 1965", "May 10, 1965")).isEqualTo(0.0);
        assertThat(ExactMatch.strict("May 10 1965", "May 10, 1965")).isEqualTo(0.0);
        assertThat(ExactMatch.strict("May  10, 1965", "May 10, 1965")).isEqualTo(0.0);
    }

    @Test
    void tokenF1IsTheHarmonicMeanOfBagPrecisionAndRecall() {
        // pred {cat, sat, on, mat}, ref {cat, sat}: shared 2, P = 2/4, R = 2/2, F1 = 2 * 0.5 * 1 / 1.5 = 2/3.
        assertThat(TokenF1.score("The cat sat on the mat.", "a cat sat")).isCloseTo(2.0 / 3, within(1e-12));
        // Bags, not sets: pred [cat, cat, cat], ref [cat, dog]: shared 1, P = 1/3, R = 1/2, F1 = 0.4.
        assertThat(TokenF1.score("cat cat cat", "cat dog")).isCloseTo(0.4, within(1e-12));
        // pred [cat, cat], ref [cat, cat, dog]: shared 2, P = 1, R = 2/3, F1 = 0.8.
        assertThat(TokenF1.score("cat cat", "cat cat dog")).isCloseTo(0.8, within(1e-12));
        assertThat(TokenF1.score("May 10, 1965", "may 10 1965")).isEqualTo(1.0);
        assertThat(TokenF1.score("dog", "cat")).isEqualTo(0.0);
        // Empty after normalisation: 1 only if both are empty (SQuAD v2.0).
        assertThat(TokenF1.score("", "the")).isEqualTo(1.0);
        assertThat(TokenF1.score("", "cat")).isEqualTo(0.0);
        assertThat(TokenF1.score("cat", "!!")).isEqualTo(0.0);
    }

    @Test
    void labelsMatchTheFirstLabelEqualAfterNormalisation() {
        LabelSet labels = LabelSet.of("positive", "negative", "Positive!");
        assertThat(labels.classify(" Positive.")).contains("positive");
        assertThat(labels.classify("NEGATIVE")).contains("negative");
        assertThat(labels.classify("positive negative")).isEmpty();
        assertThat(labels.classify("")).isEmpty();
        assertThat(labels.labels()).containsExactly("positive", "negative", "Positive!");
        assertThatThrownBy(() -> new LabelSet(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LabelSet.of("yes", "The")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'The' is empty after normalisation");
    }

    @Test
    void tokenNllAddsUpToATokenWeightedMean() {
        // Two batches: 3 tokens summing 6 nats, 1 token of 2 nats: mean 8 / 4 = 2 (not the mean of means 1.5).
        TokenNll total = TokenNll.ZERO.plus(new TokenNll(6, 3)).plus(new TokenNll(2, 1));
        assertThat(total.mean()).isEqualTo(2.0);
        assertThat(total.perplexity()).isCloseTo(Math.exp(2), within(1e-12));
        assertThat(TokenNll.ZERO.mean()).isNaN();
    }

    @Test
    void referencePerplexityChangeIsRelative() {
        ReferencePerplexity base = new ReferencePerplexity(null, Math.log(5), 5.0, 100, 2, 0.1);
        ReferencePerplexity adapted = new ReferencePerplexity("a", Math.log(5.5), 5.5, 100, 2, 0.1);
        assertThat(adapted.relativeChangeFrom(base)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void costAddsEveryProcessedToken() {
        EvaluationCost cost = new EvaluationCost(2.0, 100, 30, 10);
        assertThat(cost.tokensProcessed()).isEqualTo(140);
        assertThat(cost.tokensPerSecond()).isEqualTo(70.0);
    }
}
