package org.lorafoundry.engine.eval;

import java.util.List;
import java.util.Optional;

/**
 * The labels of a classification task (e.g. {@code positive}, {@code negative}). A generated answer counts as the
 * first label it equals after {@link SquadNormalizer#normalize} (so {@code " Positive."} is {@code positive}); an
 * answer that equals none is invalid.
 */
public record LabelSet(List<String> labels) {
    public LabelSet {
        labels = List.copyOf(labels);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("a label set needs at least one label");
        }
        for (String l : labels) {
            if (SquadNormalizer.normalize(l).isEmpty()) {
                throw new IllegalArgumentException("label '" + l + "' is empty after normalisation (it would match"
                        + " every empty answer)");
            }
        }
    }

    public static LabelSet of(String... labels) {
        return new LabelSet(List.of(labels));
    }

    /** The first label {@code answer} equals after normalisation, or empty (invalid). */
    public Optional<String> classify(String answer) {
        String normalized = SquadNormalizer.normalize(answer);
        return labels.stream().filter(l -> SquadNormalizer.normalize(l).equals(normalized)).findFirst();
    }
}
