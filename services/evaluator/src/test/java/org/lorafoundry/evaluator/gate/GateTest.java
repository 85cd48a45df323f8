package org.lorafoundry.evaluator.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.proto.v1.Verdict;

/** The verdict over a whole policy: every threshold in order, PASSED only if none fails, skipped ones excepted. */
class GateTest {

    /** exact_match >= 0.75 and not more than 0.125 below the baseline; perplexity at most 10% worse. */
    private static final GatePolicy POLICY = GatePolicy.newBuilder()
            .addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match")
                    .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.75))
                    .setChangeThreshold(ChangeThreshold.newBuilder()
                            .setDirection(MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER).setAbsoluteSlack(0.125)))
            .addThresholds(MetricThreshold.newBuilder().setMetricName("perplexity")
                    .setChangeThreshold(ChangeThreshold.newBuilder()
                            .setDirection(MetricDirection.METRIC_DIRECTION_LOWER_IS_BETTER).setRelativeSlack(0.1)))
            .build();

    @Test
    void everyThresholdPassingPassesWithOneResultPerHalfInPolicyOrder() {
        GateVerdict verdict = Gate.evaluate(POLICY, Map.of("exact_match", 0.875, "perplexity", 4.25),
                Map.of("exact_match", 0.875, "perplexity", 4.0));
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(verdict.results()).extracting(ThresholdResult::getMetricName, ThresholdResult::getKind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("exact_match", ThresholdKind.THRESHOLD_KIND_VALUE),
                        org.assertj.core.groups.Tuple.tuple("exact_match", ThresholdKind.THRESHOLD_KIND_CHANGE),
                        org.assertj.core.groups.Tuple.tuple("perplexity", ThresholdKind.THRESHOLD_KIND_CHANGE));
        assertThat(verdict.summary()).isEqualTo("PASSED: 3 of 3 thresholds passed");
    }

    @Test
    void oneFailedThresholdFailsTheVerdictAndTheSummaryNamesIt() {
        // perplexity +12.5% > +10%
        GateVerdict verdict = Gate.evaluate(POLICY, Map.of("exact_match", 0.875, "perplexity", 4.5),
                Map.of("exact_match", 0.875, "perplexity", 4.0));
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(verdict.results()).extracting(ThresholdResult::getPassed).containsExactly(true, true, false);
        assertThat(verdict.summary()).isEqualTo("FAILED: 1 of 3 thresholds failed (perplexity)");
    }

    @Test
    void aMissingMetricFailsTheVerdict() {
        GateVerdict verdict = Gate.evaluate(POLICY, Map.of("exact_match", 0.875), Map.of("exact_match", 0.875,
                "perplexity", 4.0));
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(verdict.results().get(2).getMessage()).contains("metric not found");
    }

    @Test
    void withoutABaselineChangeThresholdsAreSkippedAndTheVerdictSaysFirstVersion() {
        GateVerdict verdict = Gate.evaluate(POLICY, Map.of("exact_match", 0.875, "perplexity", 40.0), null);
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(verdict.results()).extracting(ThresholdResult::getSkipped).containsExactly(false, true, true);
        assertThat(verdict.summary())
                .isEqualTo("PASSED: 1 of 1 threshold passed; 2 change thresholds skipped: no baseline (first version)");
        // the value half still gates a first version
        assertThat(Gate.evaluate(POLICY, Map.of("exact_match", 0.5), null).verdict()).isEqualTo(Verdict.VERDICT_FAILED);
    }

    @Test
    void aPolicyOfChangeThresholdsOnlyPassesAFirstVersionAndSaysNothingWasChecked() {
        GatePolicy changeOnly = GatePolicy.newBuilder().addThresholds(POLICY.getThresholds(1)).build();
        GateVerdict verdict = Gate.evaluate(changeOnly, Map.of("perplexity", 4.0), null);
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(verdict.summary()).startsWith("PASSED: no threshold could be checked; 1 change threshold skipped");
    }

    @Test
    void aNotANumberMetricFails() {
        GateVerdict verdict = Gate.evaluate(POLICY, Map.of("exact_match", Double.NaN, "perplexity", 4.0),
                Map.of("exact_match", 0.875, "perplexity", 4.0));
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(verdict.results()).extracting(ThresholdResult::getPassed).containsExactly(false, false, true);
        assertThat(verdict.summary()).isEqualTo("FAILED: 2 of 3 thresholds failed (exact_match)");
    }

    @Test
    void aPolicyWithoutThresholdsIsNeverGated() {
        assertThatThrownBy(() -> Gate.evaluate(GatePolicy.getDefaultInstance(), Map.of("accuracy", 1.0), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
