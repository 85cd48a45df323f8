package org.lorafoundry.evaluator.gate;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.Verdict;

/**
 * The evaluation gate, with the semantics of TFX's Evaluator / TFMA model validation
 * (tensorflow/model-analysis, {@code tensorflow_model_analysis/evaluators/metrics_validator.py}, {@code validate_metrics}):
 * every threshold of the policy is checked ({@link ValueThresholdRule}, {@link ChangeThresholdRule}); the verdict is
 * PASSED only if none fails. A threshold whose metric is missing fails (TFMA's "unchecked thresholds are considered
 * failures"); without a baseline the change thresholds are skipped and do not fail the verdict (TFMA drops change
 * thresholds when no baseline model is resolved: the "first version"). A policy without thresholds is not gated here at
 * all: callers refuse it first ({@link GatePolicyProblems}), because an empty gate would bless everything.
 */
public final class Gate {

    private Gate() {
    }

    /**
     * @param candidate metrics of the candidate adapter
     * @param baseline  metrics of the baseline, or null when there is none ("first version")
     * @throws IllegalArgumentException when the policy has no thresholds
     */
    public static GateVerdict evaluate(GatePolicy policy, Map<String, Double> candidate, Map<String, Double> baseline) {
        if (policy.getThresholdsCount() == 0) {
            throw new IllegalArgumentException("a gate policy without thresholds would bless anything; refuse it first");
        }
        List<ThresholdResult> results = new ArrayList<>();
        for (MetricThreshold threshold : policy.getThresholdsList()) {
            String metric = threshold.getMetricName();
            Double value = candidate.get(metric);
            if (threshold.hasValueThreshold()) {
                results.add(ValueThresholdRule.check(metric, threshold.getValueThreshold(), value));
            }
            if (threshold.hasChangeThreshold()) {
                results.add(ChangeThresholdRule.check(metric, threshold.getChangeThreshold(), value, baseline));
            }
        }
        boolean anyFailed = results.stream().anyMatch(result -> !result.getSkipped() && !result.getPassed());
        Verdict verdict = anyFailed ? Verdict.VERDICT_FAILED : Verdict.VERDICT_PASSED;
        return new GateVerdict(verdict, results, summary(verdict, results));
    }

    private static String summary(Verdict verdict, List<ThresholdResult> results) {
        long skipped = results.stream().filter(ThresholdResult::getSkipped).count();
        long checked = results.size() - skipped;
        Set<String> failedMetrics = new LinkedHashSet<>();
        results.stream().filter(result -> !result.getSkipped() && !result.getPassed())
                .forEach(result -> failedMetrics.add(result.getMetricName()));
        String text;
        if (verdict == Verdict.VERDICT_FAILED) {
            long failed = results.stream().filter(result -> !result.getSkipped() && !result.getPassed()).count();
            text = "FAILED: " + failed + " of " + checked + " " + thresholds(checked) + " failed ("
                    + String.join(", ", failedMetrics) + ")";
        } else if (checked == 0) {
            text = "PASSED: no threshold could be checked";
        } else {
            text = "PASSED: " + checked + " of " + checked + " " + thresholds(checked) + " passed";
        }
        if (skipped > 0) {
            text += "; " + skipped + " change " + thresholds(skipped) + " skipped: " + ChangeThresholdRule.NO_BASELINE;
        }
        return text;
    }

    private static String thresholds(long count) {
        return count == 1 ? "threshold" : "thresholds";
    }
}
