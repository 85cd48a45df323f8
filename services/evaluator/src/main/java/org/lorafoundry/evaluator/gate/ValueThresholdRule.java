package org.lorafoundry.evaluator.gate;

import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.ValueThreshold;

/**
 * A value threshold (TFMA {@code GenericValueThreshold}): the candidate's value must lie in [lower_bound, upper_bound],
 * both bounds inclusive, an unset bound open. As in TFMA's {@code _check_threshold}
 * ({@code metric >= lower_bound and metric <= upper_bound} with unset bounds at -inf / +inf), a NaN value fails even
 * with open bounds, and a metric that was not computed fails ("Metric not found.").
 */
final class ValueThresholdRule {

    private ValueThresholdRule() {
    }

    /** @param candidate the candidate's value, or null when the metric was not computed */
    static ThresholdResult check(String metric, ValueThreshold threshold, Double candidate) {
        ThresholdResult.Builder result = ThresholdResult.newBuilder().setMetricName(metric)
                .setKind(ThresholdKind.THRESHOLD_KIND_VALUE).setValueThreshold(threshold);
        if (candidate == null) {
            return result.setPassed(false).setMessage(metric + ": metric not found (not computed for the candidate): failed")
                    .build();
        }
        double value = candidate;
        result.setCandidateValue(value);
        if (Double.isNaN(value)) {
            return result.setPassed(false).setMessage(metric + " is NaN (not a number): failed").build();
        }
        boolean aboveLower = !threshold.hasLowerBound() || value >= threshold.getLowerBound();
        boolean belowUpper = !threshold.hasUpperBound() || value <= threshold.getUpperBound();
        boolean passed = aboveLower && belowUpper;
        return result.setPassed(passed)
                .setMessage(metric + " " + MetricText.number(value) + " " + comparison(threshold, aboveLower, belowUpper)
                        + ": " + (passed ? "passed" : "failed"))
                .build();
    }

    private static String comparison(ValueThreshold threshold, boolean aboveLower, boolean belowUpper) {
        if (threshold.hasLowerBound() && threshold.hasUpperBound()) {
            return (aboveLower && belowUpper ? "within" : "outside") + " [" + MetricText.number(threshold.getLowerBound())
                    + ", " + MetricText.number(threshold.getUpperBound()) + "]";
        }
        if (threshold.hasLowerBound()) {
            return (aboveLower ? ">= " : "< ") + MetricText.number(threshold.getLowerBound());
        }
        if (threshold.hasUpperBound()) {
            return (belowUpper ? "<= " : "> ") + MetricText.number(threshold.getUpperBound());
        }
        return "(no bounds)";
    }
}
