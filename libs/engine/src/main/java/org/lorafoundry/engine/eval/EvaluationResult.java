package org.lorafoundry.engine.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafoundry.engine.data.DataFormat;

/**
 * What {@link ModelEvaluation#evaluate} measured.
 *
 * @param adapter the adapter evaluated, or null for the base model
 * @param format the dataset's row format
 * @param examples rows evaluated
 * @param metrics by {@link Metric#key()} in {@link Metric} order (means over examples; loss token-weighted), plus
 *     {@link Metric#INVALID_PREDICTIONS} with accuracy
 * @param samples the first few examples with their answers, for reports
 * @param cost time and tokens
 * @param truncatedExamples examples cut to {@code maxSeqLength} in the loss pass
 * @param truncatedPrompts prompts that kept only their last {@code maxSeqLength} tokens for generation
 */
public record EvaluationResult(String adapter, DataFormat format, int examples, Map<String, Double> metrics,
        List<EvaluationSample> samples, EvaluationCost cost, long truncatedExamples, long truncatedPrompts) {
    public EvaluationResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        samples = List.copyOf(samples);
    }

    /** The value of a metric; an {@link IllegalArgumentException} naming those present if it was not computed. */
    public double metric(Metric metric) {
        Double v = metrics.get(metric.key());
        if (v == null) {
            throw new IllegalArgumentException(metric.key() + " was not computed; metrics: " + metrics.keySet());
        }
        return v;
    }
}
