package org.lorafoundry.engine.eval;

/** What {@link ModelEvaluation} can measure, under the key it reports each one with. */
public enum Metric {
    /**
     * Token-weighted mean negative log-likelihood (nats) of the label tokens: completion / assistant / all text
     * tokens.
     */
    LOSS("loss", false),
    /** {@code exp(loss)}. */
    PERPLEXITY("perplexity", false),
    /** Mean of {@link ExactMatch#normalized} over generated answers. */
    EXACT_MATCH("exact_match", true),
    /** Mean of {@link ExactMatch#strict}. */
    EXACT_MATCH_STRICT("exact_match_strict", true),
    /** Mean of {@link TokenF1#score}. */
    TOKEN_F1("token_f1", true),
    /**
     * Share of answers whose {@link LabelSet} label equals the reference's; needs a label set. Invalid answers (no
     * label) count as wrong and are also reported, as a count, under {@link #INVALID_PREDICTIONS}.
     */
    ACCURACY("accuracy", true);

    /** Key of the number of answers that matched no label (with {@link #ACCURACY}). */
    public static final String INVALID_PREDICTIONS = "invalid_predictions";

    private final String key;
    private final boolean generated;

    Metric(String key, boolean generated) {
        this.key = key;
        this.generated = generated;
    }

    /** The name in result maps and reports, e.g. {@code exact_match}. */
    public String key() {
        return key;
    }

    /** Whether it compares generated text with the reference (and so needs prompt/completion or chat rows). */
    public boolean needsGeneration() {
        return generated;
    }
}
