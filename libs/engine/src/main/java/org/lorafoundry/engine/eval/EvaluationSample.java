package org.lorafoundry.engine.eval;

import java.util.Map;

/**
 * One evaluated example, for reports.
 *
 * @param line the example's 1-based line in its JSONL file
 * @param prompt what the model was given (for chat rows: the rendered template with the generation prompt)
 * @param reference the expected answer (the completion, or the last assistant turn)
 * @param generated the model's answer
 * @param finishReason why its generation ended
 * @param scores this example's value of each metric on generated text, by {@link Metric#key()}
 */
public record EvaluationSample(int line, String prompt, String reference, String generated, FinishReason finishReason,
        Map<String, Double> scores) {
    public EvaluationSample {
        scores = Map.copyOf(scores);
    }
}
