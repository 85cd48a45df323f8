package org.lorafoundry.evaluator.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;

/**
 * Change thresholds, spec.proto's formula: diff = candidate - baseline; HIGHER_IS_BETTER passes iff
 * diff >= -absolute_slack and diff/|baseline| >= -relative_slack; LOWER_IS_BETTER iff diff <= absolute_slack and
 * diff/|baseline| <= relative_slack. Values are binary fractions, so every expected verdict is exact.
 */
class ChangeThresholdRuleTest {

    private static final MetricDirection HIGHER = MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER;
    private static final MetricDirection LOWER = MetricDirection.METRIC_DIRECTION_LOWER_IS_BETTER;

    @Test
    void higherIsBetterAbsoluteSlackAllowsThatMuchFallInclusive() {
        ChangeThreshold slack = absolute(HIGHER, 0.125);
        assertThat(check(slack, 0.5, 0.625).getPassed()).isTrue();       // diff -0.125 == -slack
        assertThat(check(slack, 0.5, 0.6875).getPassed()).isFalse();     // diff -0.1875
        assertThat(check(slack, 0.875, 0.625).getPassed()).isTrue();     // an improvement
    }

    @Test
    void lowerIsBetterAbsoluteSlackAllowsThatMuchRiseInclusive() {
        ChangeThreshold slack = absolute(LOWER, 0.25);
        assertThat(check(slack, 5.25, 5.0).getPassed()).isTrue();        // diff +0.25 == slack
        assertThat(check(slack, 5.5, 5.0).getPassed()).isFalse();        // diff +0.5
        assertThat(check(slack, 4.0, 5.0).getPassed()).isTrue();         // an improvement
    }

    @Test
    void higherIsBetterRelativeSlackIsAFractionOfTheBaselineInclusive() {
        ChangeThreshold slack = relative(HIGHER, 0.25);
        assertThat(check(slack, 3.0, 4.0).getPassed()).isTrue();         // -1/4 == -25%
        assertThat(check(slack, 2.5, 4.0).getPassed()).isFalse();        // -37.5%
    }

    @Test
    void lowerIsBetterRelativeSlackIsAFractionOfTheBaselineInclusive() {
        ChangeThreshold slack = relative(LOWER, 0.25);
        ThresholdResult atTheLimit = check(slack, 5.0, 4.0);             // +1/4 == +25%
        assertThat(atTheLimit.getPassed()).isTrue();
        assertThat(atTheLimit.getAbsoluteChange()).isEqualTo(1.0);
        assertThat(atTheLimit.getRelativeChange()).isEqualTo(0.25);
        assertThat(check(slack, 5.5, 4.0).getPassed()).isFalse();        // +37.5%
    }

    @Test
    void withBothSlacksBothMustPass() {
        ChangeThreshold both = ChangeThreshold.newBuilder().setDirection(LOWER).setAbsoluteSlack(1).setRelativeSlack(0.125)
                .build();
        assertThat(check(both, 8.5, 8.0).getPassed()).isTrue();          // +0.5 <= 1 and +6.25% <= 12.5%
        ThresholdResult relativeFails = check(both, 2.5, 2.0);           // +0.5 <= 1 but +25% > 12.5%
        assertThat(relativeFails.getPassed()).isFalse();
        assertThat(relativeFails.getMessage()).contains("relative change +25%").doesNotContain("change +0.5 >");
        ThresholdResult absoluteFails = check(both, 18.0, 16.0);         // +12.5% <= 12.5% but +2 > 1
        assertThat(absoluteFails.getPassed()).isFalse();
        assertThat(absoluteFails.getMessage()).contains("change +2 > +1 allowed");
    }

    @Test
    void aNegativeSlackDemandsAnImprovement() {
        ChangeThreshold mustGain = absolute(HIGHER, -0.125);
        assertThat(check(mustGain, 0.625, 0.5).getPassed()).isTrue();    // +0.125 >= +0.125
        assertThat(check(mustGain, 0.5625, 0.5).getPassed()).isFalse();  // +0.0625 < +0.125
        assertThat(check(mustGain, 0.5, 0.5).getPassed()).isFalse();     // no change
    }

    @Test
    void againstAZeroBaselineTheRelativeCheckFailsWhenTheCandidateIsWorse() {
        ChangeThreshold lowerRelative = relative(LOWER, 0.5);
        ThresholdResult worse = check(lowerRelative, 0.25, 0.0);
        assertThat(worse.getPassed()).isFalse();
        assertThat(worse.hasRelativeChange()).isFalse(); // undefined: never reported as a number
        assertThat(worse.getMessage()).contains("relative change against a zero baseline");
        assertThat(check(lowerRelative, 0.0, 0.0).getPassed()).isTrue();     // not worse
        assertThat(check(lowerRelative, -0.25, 0.0).getPassed()).isTrue();   // better
        assertThat(check(relative(HIGHER, 0.5), -0.25, 0.0).getPassed()).isFalse();
        assertThat(check(relative(HIGHER, 0.5), 0.25, 0.0).getPassed()).isTrue();
        // a demanded improvement is not met by no change, even from zero
        assertThat(check(relative(HIGHER, -0.5), 0.0, 0.0).getPassed()).isFalse();
        assertThat(check(relative(HIGHER, -0.5), 0.25, 0.0).getPassed()).isTrue();
    }

    @Test
    void aZeroBaselineDoesNotAffectAnAbsoluteOnlyThreshold() {
        assertThat(check(absolute(LOWER, 0.25), 0.25, 0.0).getPassed()).isTrue();
        assertThat(check(absolute(LOWER, 0.25), 0.5, 0.0).getPassed()).isFalse();
    }

    @Test
    void theRelativeChangeDividesByTheBaselinesMagnitude() {
        // forgetting can be negative: from -0.5 to -0.25 is a rise of 0.25, +50% of |baseline|
        ThresholdResult result = check(relative(LOWER, 0.5), -0.25, -0.5);
        assertThat(result.getRelativeChange()).isEqualTo(0.5);
        assertThat(result.getPassed()).isTrue();
        assertThat(check(relative(LOWER, 0.25), -0.25, -0.5).getPassed()).isFalse();
    }

    @Test
    void withoutABaselineTheThresholdIsSkippedAsAFirstVersion() {
        ThresholdResult result = ChangeThresholdRule.check("perplexity", absolute(LOWER, 0), 5.0, null);
        assertThat(result.getSkipped()).isTrue();
        assertThat(result.getPassed()).isFalse();
        assertThat(result.getSkipReason()).isEqualTo("no baseline (first version)");
        assertThat(result.getCandidateValue()).isEqualTo(5.0);
        assertThat(result.hasBaselineValue()).isFalse();
    }

    @Test
    void aMetricMissingForTheCandidateOrTheBaselineFails() {
        ThresholdResult noCandidate = ChangeThresholdRule.check("perplexity", absolute(LOWER, 1), null,
                Map.of("perplexity", 5.0));
        assertThat(noCandidate.getPassed()).isFalse();
        assertThat(noCandidate.getSkipped()).isFalse();
        assertThat(noCandidate.getMessage()).contains("metric not found");
        ThresholdResult noBaseline = ChangeThresholdRule.check("perplexity", absolute(LOWER, 1), 5.0,
                Map.of("accuracy", 0.5));
        assertThat(noBaseline.getPassed()).isFalse();
        assertThat(noBaseline.getMessage()).contains("metric not found for the baseline");
    }

    @Test
    void notANumberFails() {
        assertThat(check(absolute(LOWER, 1), Double.NaN, 5.0).getPassed()).isFalse();
        assertThat(check(absolute(LOWER, 1), 5.0, Double.NaN).getPassed()).isFalse();
        assertThat(check(relative(HIGHER, 1), Double.NaN, 0.0).getPassed()).isFalse();
    }

    @Test
    void aThresholdWithoutDirectionFails() {
        ThresholdResult result = check(ChangeThreshold.newBuilder().setAbsoluteSlack(1).build(), 5.0, 5.0);
        assertThat(result.getPassed()).isFalse();
        assertThat(result.getMessage()).contains("no direction");
    }

    @Test
    void theResultCarriesBothValuesTheChangesAndAReadableLine() {
        ThresholdResult result = check(ChangeThreshold.newBuilder().setDirection(LOWER).setAbsoluteSlack(0.5)
                .setRelativeSlack(0.05).build(), 5.25, 5.0);
        assertThat(result.getKind()).isEqualTo(ThresholdKind.THRESHOLD_KIND_CHANGE);
        assertThat(result.getCandidateValue()).isEqualTo(5.25);
        assertThat(result.getBaselineValue()).isEqualTo(5.0);
        assertThat(result.getAbsoluteChange()).isEqualTo(0.25);
        assertThat(result.getRelativeChange()).isEqualTo(0.05);
        assertThat(result.getPassed()).isTrue();
        assertThat(result.getMessage()).isEqualTo(
                "perplexity 5.25 vs baseline 5 (lower is better): change +0.25 (+5%), allowed +0.5 and +5%: passed");
    }

    private static ThresholdResult check(ChangeThreshold threshold, double candidate, double baseline) {
        return ChangeThresholdRule.check("perplexity", threshold, candidate, Map.of("perplexity", baseline));
    }

    private static ChangeThreshold absolute(MetricDirection direction, double slack) {
        return ChangeThreshold.newBuilder().setDirection(direction).setAbsoluteSlack(slack).build();
    }

    private static ChangeThreshold relative(MetricDirection direction, double slack) {
        return ChangeThreshold.newBuilder().setDirection(direction).setRelativeSlack(slack).build();
    }
}
