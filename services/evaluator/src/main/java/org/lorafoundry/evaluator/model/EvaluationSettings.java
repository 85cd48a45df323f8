package org.lorafoundry.evaluator.model;

import java.util.List;
import java.util.Objects;

/**
 * Caps and generation settings of one evaluation (EvaluationSpec with the service defaults filled in).
 *
 * @param maxEvalExamples      at most this many evaluation rows (the first N in a seeded order)
 * @param maxReferenceExamples at most this many reference rows
 * @param generation           how outputs are generated for exact_match / token_f1 / accuracy
 * @param labelSet             allowed labels for accuracy (EvaluationSpec.label_set, else the dataset's label values);
 *                             a generation is trimmed and case-folded before it is matched
 * @param exampleCount         how many (prompt, reference, base output, adapter output) examples to return for the report
 */
public record EvaluationSettings(int maxEvalExamples, int maxReferenceExamples, GenerationSettings generation,
        List<String> labelSet, int exampleCount) {

    public EvaluationSettings {
        if (maxEvalExamples < 1 || maxReferenceExamples < 1 || exampleCount < 0) {
            throw new IllegalArgumentException("example caps must be positive");
        }
        Objects.requireNonNull(generation, "generation");
        labelSet = List.copyOf(labelSet);
    }
}
