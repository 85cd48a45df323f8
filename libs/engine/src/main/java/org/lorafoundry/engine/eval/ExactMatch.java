package org.lorafoundry.engine.eval;

/** Exact match of a generated answer against the reference, 1.0 or 0.0. */
public final class ExactMatch {
    private ExactMatch() {
    }

    /**
     * SQuAD's {@code compute_exact}: equal after {@link SquadNormalizer#normalize} (case, punctuation, articles,
     * spaces).
     */
    public static double normalized(String prediction, String reference) {
        return SquadNormalizer.normalize(prediction).equals(SquadNormalizer.normalize(reference)) ? 1.0 : 0.0;
    }

    /**
     * The strict variant: equal strings once leading and trailing whitespace is removed ({@link String#strip()}), so
     * a completion's conventional leading space, or the newline a chat template leaves, does not count; case,
     * punctuation and inner spacing do.
     */
    public static double strict(String prediction, String reference) {
        return prediction.strip().equals(reference.strip()) ? 1.0 : 0.0;
    }
}
