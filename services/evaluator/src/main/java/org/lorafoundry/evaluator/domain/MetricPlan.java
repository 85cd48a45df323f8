package org.lorafoundry.evaluator.domain;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.lorafoundry.evaluator.model.MetricNames;
import org.lorafoundry.proto.v1.EvaluationSpec;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricThreshold;

/**
 * Which metrics an evaluation computes: those EvaluationSpec asks for (by default validation_loss and perplexity, plus
 * accuracy for labelled data), every metric the gate names, the forgetting check (reference_loss,
 * reference_perplexity, reference_perplexity_base, forgetting) and the cost (eval_seconds, eval_tokens).
 *
 * @param reported  every known metric the evaluation reports, in a stable order
 * @param fromModel what the model side must compute (forgetting needs both reference perplexities)
 * @param unknown   names asked for that no part of the evaluator computes; a threshold on one fails ("metric not found")
 */
public record MetricPlan(Set<String> reported, Set<String> fromModel, List<String> unknown) {

    private static final List<String> FORGETTING_CHECK = List.of(MetricNames.REFERENCE_LOSS,
            MetricNames.REFERENCE_PERPLEXITY, MetricNames.REFERENCE_PERPLEXITY_BASE, MetricNames.FORGETTING);
    private static final List<String> COST = List.of(MetricNames.EVAL_SECONDS, MetricNames.EVAL_TOKENS);

    public MetricPlan {
        reported = Set.copyOf(reported);
        fromModel = Set.copyOf(fromModel);
        unknown = List.copyOf(unknown);
    }

    /** @param labelled whether the evaluation rows carry labels (accuracy is then computed by default) */
    public static MetricPlan of(EvaluationSpec spec, GatePolicy policy, boolean labelled) {
        Set<String> asked = new LinkedHashSet<>();
        if (spec.getMetricsCount() == 0) {
            asked.add(MetricNames.VALIDATION_LOSS);
            asked.add(MetricNames.PERPLEXITY);
            if (labelled) {
                asked.add(MetricNames.ACCURACY);
            }
        } else {
            spec.getMetricsList().forEach(name -> asked.add(name.strip()));
        }
        policy.getThresholdsList().stream().map(MetricThreshold::getMetricName).map(String::strip).forEach(asked::add);
        asked.addAll(FORGETTING_CHECK);
        asked.addAll(COST);

        Set<String> reported = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String name : asked) {
            if (MetricNames.isKnown(name)) {
                reported.add(name);
            } else if (!name.isEmpty()) {
                unknown.add(name);
            }
        }
        Set<String> fromModel = new LinkedHashSet<>();
        for (String name : reported) {
            if (MetricNames.MODEL_METRICS.contains(name)) {
                fromModel.add(name);
            }
        }
        if (reported.contains(MetricNames.FORGETTING)) {
            fromModel.add(MetricNames.REFERENCE_PERPLEXITY);
            fromModel.add(MetricNames.REFERENCE_PERPLEXITY_BASE);
        }
        return new MetricPlan(reported, fromModel, unknown);
    }
}
