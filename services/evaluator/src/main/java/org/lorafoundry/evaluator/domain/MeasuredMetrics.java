package org.lorafoundry.evaluator.domain;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.lorafoundry.evaluator.model.MetricNames;
import org.lorafoundry.evaluator.model.ModelEvaluation;

/**
 * The metrics of an evaluation as published: what the model side measured plus what the service derives, so that
 * derived metrics have one definition whatever engine measured the rest.
 * <ul>
 *   <li>{@code forgetting = reference_perplexity / reference_perplexity_base - 1} for the candidate and for the
 *       baseline (0 for the base model itself): how much worse the model got on general text;</li>
 *   <li>{@code eval_seconds} (the model evaluation's wall-clock time) and {@code eval_tokens}: the candidate's cost.</li>
 * </ul>
 *
 * @param candidate metrics of the candidate, sorted by name
 * @param baseline  metrics of the baseline, sorted by name; null when there is no baseline
 */
public record MeasuredMetrics(Map<String, Double> candidate, Map<String, Double> baseline) {

    public MeasuredMetrics {
        candidate = Map.copyOf(candidate);
        baseline = baseline == null ? null : Map.copyOf(baseline);
    }

    /** @param hasBaseline false for "no baseline" (the model's baseline metrics are then ignored) */
    public static MeasuredMetrics of(ModelEvaluation evaluation, boolean hasBaseline, Duration modelTime) {
        Map<String, Double> candidate = new TreeMap<>(evaluation.candidateMetrics());
        Double basePerplexity = candidate.get(MetricNames.REFERENCE_PERPLEXITY_BASE);
        addForgetting(candidate, basePerplexity);
        candidate.put(MetricNames.EVAL_SECONDS, modelTime.toNanos() / 1e9);
        candidate.put(MetricNames.EVAL_TOKENS, (double) evaluation.tokensEvaluated());
        if (!hasBaseline) {
            return new MeasuredMetrics(candidate, null);
        }
        Map<String, Double> baseline = new TreeMap<>(evaluation.baselineMetrics());
        if (basePerplexity != null) {
            // The baseline runs on the same base model: its reference is the candidate's.
            baseline.putIfAbsent(MetricNames.REFERENCE_PERPLEXITY_BASE, basePerplexity);
        }
        addForgetting(baseline, baseline.get(MetricNames.REFERENCE_PERPLEXITY_BASE));
        return new MeasuredMetrics(candidate, baseline);
    }

    private static void addForgetting(Map<String, Double> metrics, Double basePerplexity) {
        Double perplexity = metrics.get(MetricNames.REFERENCE_PERPLEXITY);
        if (perplexity != null && basePerplexity != null && basePerplexity != 0) {
            metrics.put(MetricNames.FORGETTING, perplexity / basePerplexity - 1);
        }
    }
}
