package org.lorafoundry.evaluator.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.ValueThreshold;

/** Value thresholds: [lower_bound, upper_bound], inclusive; unset = open; NaN and missing fail. */
class ValueThresholdRuleTest {

    private static final ValueThreshold AT_LEAST_HALF = ValueThreshold.newBuilder().setLowerBound(0.5).build();
    private static final ValueThreshold AT_MOST_EIGHT = ValueThreshold.newBuilder().setUpperBound(8).build();
    private static final ValueThreshold QUARTER_TO_THREE_QUARTERS = ValueThreshold.newBuilder().setLowerBound(0.25)
            .setUpperBound(0.75).build();

    @Test
    void theLowerBoundIsInclusive() {
        assertThat(check(AT_LEAST_HALF, 0.5).getPassed()).isTrue();
        assertThat(check(AT_LEAST_HALF, 0.75).getPassed()).isTrue();
        assertThat(check(AT_LEAST_HALF, Math.nextDown(0.5)).getPassed()).isFalse();
    }

    @Test
    void theUpperBoundIsInclusive() {
        assertThat(check(AT_MOST_EIGHT, 8).getPassed()).isTrue();
        assertThat(check(AT_MOST_EIGHT, Math.nextUp(8.0)).getPassed()).isFalse();
        assertThat(check(AT_MOST_EIGHT, -1000).getPassed()).isTrue(); // no lower bound: open
    }

    @Test
    void bothBoundsAreInclusiveAndBothMustHold() {
        assertThat(check(QUARTER_TO_THREE_QUARTERS, 0.25).getPassed()).isTrue();
        assertThat(check(QUARTER_TO_THREE_QUARTERS, 0.75).getPassed()).isTrue();
        assertThat(check(QUARTER_TO_THREE_QUARTERS, 0.125).getPassed()).isFalse();
        assertThat(check(QUARTER_TO_THREE_QUARTERS, 0.875).getPassed()).isFalse();
    }

    @Test
    void infinityIsComparedLikeAnyNumber() {
        assertThat(check(AT_LEAST_HALF, Double.POSITIVE_INFINITY).getPassed()).isTrue();
        assertThat(check(AT_MOST_EIGHT, Double.POSITIVE_INFINITY).getPassed()).isFalse();
    }

    @Test
    void notANumberFailsEvenWithOpenBounds() {
        ThresholdResult result = check(AT_MOST_EIGHT, Double.NaN);
        assertThat(result.getPassed()).isFalse();
        assertThat(result.getMessage()).contains("NaN");
        assertThat(check(ValueThreshold.getDefaultInstance(), Double.NaN).getPassed()).isFalse();
    }

    @Test
    void aMissingMetricFails() {
        ThresholdResult result = ValueThresholdRule.check("accuracy", AT_LEAST_HALF, null);
        assertThat(result.getPassed()).isFalse();
        assertThat(result.getSkipped()).isFalse();
        assertThat(result.hasCandidateValue()).isFalse();
        assertThat(result.getMessage()).contains("metric not found");
    }

    @Test
    void theResultCarriesTheValueTheBoundsAndAReadableLine() {
        ThresholdResult passed = check(AT_LEAST_HALF, 0.91);
        assertThat(passed.getKind()).isEqualTo(ThresholdKind.THRESHOLD_KIND_VALUE);
        assertThat(passed.getCandidateValue()).isEqualTo(0.91);
        assertThat(passed.getValueThreshold()).isEqualTo(AT_LEAST_HALF);
        assertThat(passed.getMessage()).isEqualTo("accuracy 0.91 >= 0.5: passed");
        assertThat(check(AT_LEAST_HALF, 0.25).getMessage()).isEqualTo("accuracy 0.25 < 0.5: failed");
        assertThat(check(QUARTER_TO_THREE_QUARTERS, 0.875).getMessage())
                .isEqualTo("accuracy 0.875 outside [0.25, 0.75]: failed");
    }

    private static ThresholdResult check(ValueThreshold threshold, double value) {
        return ValueThresholdRule.check("accuracy", threshold, value);
    }
}
