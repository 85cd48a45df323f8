package org.lorafoundry.evaluator.gate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;

/**
 * A change threshold (TFMA {@code GenericChangeThreshold}): how much worse than the baseline the candidate may be, as
 * spec.proto's {@code ChangeThreshold} defines it. With {@code diff = candidate - baseline}:
 * <ul>
 *   <li>HIGHER_IS_BETTER passes iff {@code diff >= -absolute_slack} and {@code diff / |baseline| >= -relative_slack};</li>
 *   <li>LOWER_IS_BETTER passes iff {@code diff <= absolute_slack} and {@code diff / |baseline| <= relative_slack};</li>
 * </ul>
 * inclusive, an unset slack unchecked. This is TFMA's {@code _check_threshold} with its {@code absolute} and
 * {@code relative} values written as allowed regression ({@code absolute = -absolute_slack} for HIGHER_IS_BETTER,
 * {@code +absolute_slack} for LOWER_IS_BETTER). Where TFMA and spec.proto differ, spec.proto is followed:
 * <ul>
 *   <li>the relative change divides by {@code |baseline|} (TFMA divides by the signed baseline, which flips the
 *       direction for negative baselines, e.g. a negative {@code forgetting});</li>
 *   <li>a zero baseline: TFMA sets the ratio to NaN, which fails the whole change threshold (even one with only an
 *       absolute bound). Here the relative change of a zero baseline is +∞ for a rise, -∞ for a fall and 0 for no
 *       change, so the relative check fails exactly when the candidate is worse (or, with a negative slack, when it
 *       is not strictly better), and an absolute-only threshold is unaffected;</li>
 * </ul>
 * As in TFMA: no baseline means the threshold is skipped ("first version"); a metric missing for the candidate or the
 * baseline fails ("Metric not found."); NaN fails; an unknown direction fails (TFMA raises ValueError, caught as a
 * failed check).
 */
final class ChangeThresholdRule {

    static final String NO_BASELINE = "no baseline (first version)";

    private ChangeThresholdRule() {
    }

    /**
     * @param candidate the candidate's value, or null when the metric was not computed
     * @param baseline  the baseline's metrics, or null when there is no baseline
     */
    static ThresholdResult check(String metric, ChangeThreshold threshold, Double candidate, Map<String, Double> baseline) {
        ThresholdResult.Builder result = ThresholdResult.newBuilder().setMetricName(metric)
                .setKind(ThresholdKind.THRESHOLD_KIND_CHANGE).setChangeThreshold(threshold);
        if (candidate != null) {
            result.setCandidateValue(candidate);
        }
        if (baseline == null) {
            return result.setPassed(false).setSkipped(true).setSkipReason(NO_BASELINE)
                    .setMessage(metric + " change vs baseline: skipped, " + NO_BASELINE).build();
        }
        if (candidate == null) {
            return result.setPassed(false)
                    .setMessage(metric + ": metric not found (not computed for the candidate): failed").build();
        }
        Double baselineValue = baseline.get(metric);
        if (baselineValue == null) {
            return result.setPassed(false)
                    .setMessage(metric + ": metric not found for the baseline (not computed): failed").build();
        }
        result.setBaselineValue(baselineValue);
        boolean higherIsBetter = threshold.getDirection() == MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER;
        if (!higherIsBetter && threshold.getDirection() != MetricDirection.METRIC_DIRECTION_LOWER_IS_BETTER) {
            return result.setPassed(false)
                    .setMessage(metric + ": the change threshold has no direction (higher or lower is better): failed")
                    .build();
        }
        if (Double.isNaN(candidate) || Double.isNaN(baselineValue)) {
            return result.setPassed(false).setMessage(metric + " " + MetricText.number(candidate) + " vs baseline "
                    + MetricText.number(baselineValue) + ": not a number: failed").build();
        }

        double diff = candidate - baselineValue;
        double relative = relativeChange(diff, baselineValue);
        result.setAbsoluteChange(diff);
        if (baselineValue != 0) {
            result.setRelativeChange(relative);
        }
        // Allowed regression in the metric's own direction: a rise for LOWER_IS_BETTER, a fall for HIGHER_IS_BETTER.
        double sign = higherIsBetter ? -1 : 1;
        List<String> violations = new ArrayList<>();
        if (threshold.hasAbsoluteSlack()) {
            double bound = sign * threshold.getAbsoluteSlack();
            boolean ok = higherIsBetter ? diff >= bound : diff <= bound;
            if (!ok) {
                violations.add("change " + MetricText.signed(diff) + (higherIsBetter ? " < " : " > ")
                        + MetricText.signed(bound) + " allowed");
            }
        }
        if (threshold.hasRelativeSlack()) {
            double bound = sign * threshold.getRelativeSlack();
            boolean ok = higherIsBetter ? relative >= bound : relative <= bound;
            if (!ok) {
                violations.add((baselineValue == 0 ? "relative change against a zero baseline " : "relative change ")
                        + MetricText.signedPercent(relative) + (higherIsBetter ? " < " : " > ")
                        + MetricText.signedPercent(bound) + " allowed");
            }
        }
        boolean passed = violations.isEmpty();
        String message = metric + " " + MetricText.number(candidate) + " vs baseline " + MetricText.number(baselineValue)
                + " (" + (higherIsBetter ? "higher" : "lower") + " is better): change " + MetricText.signed(diff)
                + (baselineValue != 0 ? " (" + MetricText.signedPercent(relative) + ")" : "")
                + ", allowed " + allowance(threshold, sign)
                + (passed ? ": passed" : ": failed (" + String.join("; ", violations) + ")");
        return result.setPassed(passed).setMessage(message).build();
    }

    /** {@code diff / |baseline|}; for a zero baseline the sign of the change as an infinity (0 for no change). */
    static double relativeChange(double diff, double baseline) {
        if (baseline != 0) {
            return diff / Math.abs(baseline);
        }
        return diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
    }

    private static String allowance(ChangeThreshold threshold, double sign) {
        List<String> parts = new ArrayList<>();
        if (threshold.hasAbsoluteSlack()) {
            parts.add(MetricText.signed(sign * threshold.getAbsoluteSlack()));
        }
        if (threshold.hasRelativeSlack()) {
            parts.add(MetricText.signedPercent(sign * threshold.getRelativeSlack()));
        }
        return parts.isEmpty() ? "any change" : String.join(" and ", parts);
    }
}
