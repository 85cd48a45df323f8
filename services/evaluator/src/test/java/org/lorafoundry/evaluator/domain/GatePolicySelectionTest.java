package org.lorafoundry.evaluator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ValueThreshold;

class GatePolicySelectionTest {

    private static final GatePolicy JOB = policy("exact_match");
    private static final GatePolicy TEAM = policy("accuracy");
    private static final GatePolicy PLATFORM = policy("perplexity");
    private static final TeamDefaultPolicies DEFAULTS = new TeamDefaultPolicies(Map.of("red", TEAM, "*", PLATFORM));

    @Test
    void theJobsOwnPolicyWins() throws Exception {
        PolicyChoice choice = GatePolicySelection.select(JobSpec.newBuilder().setGatePolicy(JOB).build(), "red", DEFAULTS);
        assertThat(choice.policy()).isEqualTo(JOB);
        assertThat(choice.source()).isEqualTo(PolicyChoice.Source.JOB);
        assertThat(choice.description("red")).isEqualTo("the job's gate_policy");
    }

    @Test
    void withoutOneTheTeamDefaultThenThePlatformDefaultApplies() throws Exception {
        PolicyChoice team = GatePolicySelection.select(JobSpec.getDefaultInstance(), "red", DEFAULTS);
        assertThat(team.policy()).isEqualTo(TEAM);
        assertThat(team.description("red")).isEqualTo("default policy of team red");
        PolicyChoice platform = GatePolicySelection.select(JobSpec.getDefaultInstance(), "blue", DEFAULTS);
        assertThat(platform.policy()).isEqualTo(PLATFORM);
        assertThat(platform.source()).isEqualTo(PolicyChoice.Source.PLATFORM_DEFAULT);
    }

    @Test
    void noPolicyAndNoDefaultIsRefusedWithWhatToConfigure() {
        assertThatThrownBy(() -> GatePolicySelection.select(JobSpec.getDefaultInstance(), "blue",
                TeamDefaultPolicies.none()))
                .isInstanceOfSatisfying(EvaluationException.class, e -> {
                    assertThat(e.code()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_INVALID_GATE_POLICY);
                    assertThat(e.getMessage()).contains("foundry.evaluator.default-policies.blue");
                });
    }

    @Test
    void aPresentButEmptyPolicyIsRefusedNotReplacedByTheDefault() {
        JobSpec empty = JobSpec.newBuilder().setGatePolicy(GatePolicy.getDefaultInstance()).build();
        assertThatThrownBy(() -> GatePolicySelection.select(empty, "red", DEFAULTS))
                .isInstanceOfSatisfying(EvaluationException.class, e -> {
                    assertThat(e.code()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_INVALID_GATE_POLICY);
                    assertThat(e.getMessage()).contains("at least one threshold").contains("leave gate_policy out");
                });
    }

    @Test
    void aMalformedJobPolicyIsRefused() {
        JobSpec malformed = JobSpec.newBuilder().setGatePolicy(GatePolicy.newBuilder()
                .addThresholds(MetricThreshold.newBuilder().setMetricName("accuracy"))).build();
        assertThatThrownBy(() -> GatePolicySelection.select(malformed, "red", DEFAULTS))
                .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.getMessage())
                        .contains("thresholds[0]: give a value_threshold, a change_threshold or both"));
    }

    private static GatePolicy policy(String metric) {
        return GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName(metric)
                .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.5))).build();
    }
}
