package org.lorafoundry.evaluator.model;

import java.util.List;
import java.util.Map;

/**
 * What the model side measured.
 *
 * @param candidateMetrics           metrics of base model + candidate adapter by {@link MetricNames} name; includes
 *                                   {@code reference_perplexity_base} (the base model on the reference set) when asked
 * @param baselineMetrics            the same metrics of the baseline; empty for {@link BaselineModel.None}
 * @param examples                   a few generations for the report (at most {@link EvaluationSettings#exampleCount()})
 * @param examplesEvaluated          evaluation rows used
 * @param referenceExamplesEvaluated reference rows used
 * @param tokensEvaluated            tokens the engine processed (every model, every pass): the {@code eval_tokens} cost
 */
public record ModelEvaluation(Map<String, Double> candidateMetrics, Map<String, Double> baselineMetrics,
        List<GenerationExample> examples, int examplesEvaluated, int referenceExamplesEvaluated, long tokensEvaluated) {

    public ModelEvaluation {
        candidateMetrics = Map.copyOf(candidateMetrics);
        baselineMetrics = Map.copyOf(baselineMetrics);
        examples = List.copyOf(examples);
    }
}
