package org.lorafoundry.evaluator.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ValueThreshold;

class GatePolicyProblemsTest {

    @Test
    void aUsablePolicyHasNoProblems() {
        assertThat(GatePolicyProblems.of(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder()
                .setMetricName("accuracy").setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.9))
                .setChangeThreshold(ChangeThreshold.newBuilder()
                        .setDirection(MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER).setRelativeSlack(0.01)))
                .build())).isEmpty();
    }

    @Test
    void aPolicyWithoutThresholdsIsRefused() {
        assertThat(GatePolicyProblems.of(GatePolicy.getDefaultInstance())).singleElement().asString()
                .contains("at least one threshold");
    }

    @Test
    void everyUnusableThresholdIsNamedByItsField() {
        GatePolicy policy = GatePolicy.newBuilder()
                .addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match"))
                .addThresholds(MetricThreshold.newBuilder().setMetricName("perplexity")
                        .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(10).setUpperBound(5)))
                .addThresholds(MetricThreshold.newBuilder().setMetricName(" ")
                        .setChangeThreshold(ChangeThreshold.getDefaultInstance()))
                .addThresholds(MetricThreshold.newBuilder().setMetricName("accuracy")
                        .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(Double.NaN)))
                .build();
        assertThat(GatePolicyProblems.of(policy)).extracting(problem -> problem.substring(0, problem.indexOf(':')))
                .containsExactly("thresholds[0]", "thresholds[1].value_threshold", "thresholds[2].metric_name",
                        "thresholds[2].change_threshold.direction", "thresholds[2].change_threshold",
                        "thresholds[3].value_threshold");
    }
}
