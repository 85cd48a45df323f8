package org.lorafoundry.evaluator.gate;

import java.util.ArrayList;
import java.util.List;

import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ValueThreshold;

/**
 * What makes a gate policy unusable, found before anything is measured: no thresholds at all (nothing may be blessed
 * by accident), a threshold without a metric or without any bound, bounds that nothing can pass, a change threshold
 * without direction or slack. The same rules as the jobs service's intake, checked again because the evaluator also
 * applies team default policies and must not trust a record it did not validate.
 */
public final class GatePolicyProblems {

    private GatePolicyProblems() {
    }

    /** @return one line per problem, each naming the field (e.g. {@code thresholds[1].change_threshold.direction}) */
    public static List<String> of(GatePolicy policy) {
        List<String> problems = new ArrayList<>();
        if (policy.getThresholdsCount() == 0) {
            problems.add("thresholds: a gate policy needs at least one threshold (nothing is blessed by accident)");
            return problems;
        }
        for (int i = 0; i < policy.getThresholdsCount(); i++) {
            MetricThreshold threshold = policy.getThresholds(i);
            String field = "thresholds[" + i + "]";
            if (threshold.getMetricName().isBlank()) {
                problems.add(field + ".metric_name: name the metric this threshold gates");
            }
            if (!threshold.hasValueThreshold() && !threshold.hasChangeThreshold()) {
                problems.add(field + ": give a value_threshold, a change_threshold or both");
            }
            if (threshold.hasValueThreshold()) {
                valueProblems(threshold.getValueThreshold(), field + ".value_threshold", problems);
            }
            if (threshold.hasChangeThreshold()) {
                changeProblems(threshold.getChangeThreshold(), field + ".change_threshold", problems);
            }
        }
        return problems;
    }

    private static void valueProblems(ValueThreshold value, String field, List<String> problems) {
        if (!value.hasLowerBound() && !value.hasUpperBound()) {
            problems.add(field + ": give lower_bound, upper_bound or both");
        } else if ((value.hasLowerBound() && Double.isNaN(value.getLowerBound()))
                || (value.hasUpperBound() && Double.isNaN(value.getUpperBound()))) {
            problems.add(field + ": a bound is NaN");
        } else if (value.hasLowerBound() && value.hasUpperBound() && value.getLowerBound() > value.getUpperBound()) {
            problems.add(field + ": lower_bound is above upper_bound, nothing can pass");
        }
    }

    private static void changeProblems(ChangeThreshold change, String field, List<String> problems) {
        if (change.getDirection() != MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER
                && change.getDirection() != MetricDirection.METRIC_DIRECTION_LOWER_IS_BETTER) {
            problems.add(field + ".direction: say whether higher or lower is better");
        }
        if (!change.hasAbsoluteSlack() && !change.hasRelativeSlack()) {
            problems.add(field + ": give absolute_slack, relative_slack or both");
        } else if ((change.hasAbsoluteSlack() && Double.isNaN(change.getAbsoluteSlack()))
                || (change.hasRelativeSlack() && Double.isNaN(change.getRelativeSlack()))) {
            problems.add(field + ": a slack is NaN");
        }
    }
}
