package org.lorafoundry.evaluator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.domain.PolicyChoice;
import org.lorafoundry.evaluator.domain.TeamDefaultPolicies;
import org.lorafoundry.proto.v1.BaselineMode;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;

/** Team default policies from properties, as an operator writes them. */
class DefaultPoliciesTest {

    @Test
    void propertiesBecomeGatePolicies() {
        TeamDefaultPolicies policies = DefaultPolicies.from(config(Map.of(
                "foundry.evaluator.default-policies.red.thresholds[0].metric", "exact_match",
                "foundry.evaluator.default-policies.red.thresholds[0].lower-bound", "0.9",
                "foundry.evaluator.default-policies.red.thresholds[1].metric", "perplexity",
                "foundry.evaluator.default-policies.red.thresholds[1].direction", "lower-is-better",
                "foundry.evaluator.default-policies.red.thresholds[1].relative-slack", "0.05",
                "foundry.evaluator.default-policies.red.baseline-mode", "BASE_MODEL",
                "foundry.evaluator.default-policies.\"*\".thresholds[0].metric", "forgetting",
                "foundry.evaluator.default-policies.\"*\".thresholds[0].upper-bound", "0.05")).defaultPolicies());

        GatePolicy red = policies.forTeam("red").orElseThrow().policy();
        assertThat(red.getBaselineMode()).isEqualTo(BaselineMode.BASELINE_MODE_BASE_MODEL);
        MetricThreshold exactMatch = red.getThresholds(0);
        assertThat(exactMatch.getMetricName()).isEqualTo("exact_match");
        assertThat(exactMatch.getValueThreshold().getLowerBound()).isEqualTo(0.9);
        assertThat(exactMatch.getValueThreshold().hasUpperBound()).isFalse();
        assertThat(exactMatch.hasChangeThreshold()).isFalse();
        MetricThreshold perplexity = red.getThresholds(1);
        assertThat(perplexity.hasValueThreshold()).isFalse();
        assertThat(perplexity.getChangeThreshold().getDirection()).isEqualTo(MetricDirection.METRIC_DIRECTION_LOWER_IS_BETTER);
        assertThat(perplexity.getChangeThreshold().getRelativeSlack()).isEqualTo(0.05);
        assertThat(perplexity.getChangeThreshold().hasAbsoluteSlack()).isFalse();

        PolicyChoice other = policies.forTeam("blue").orElseThrow();
        assertThat(other.source()).isEqualTo(PolicyChoice.Source.PLATFORM_DEFAULT);
        assertThat(other.policy().getThresholds(0).getMetricName()).isEqualTo("forgetting");
        assertThat(other.policy().getBaselineMode()).isEqualTo(BaselineMode.BASELINE_MODE_PRODUCTION_OR_BASE_MODEL);
    }

    @Test
    void noDefaultPoliciesIsAllowed() {
        assertThat(DefaultPolicies.from(config(Map.of()).defaultPolicies()).forTeam("red")).isEmpty();
    }

    @Test
    void anUnusablePolicyIsAnErrorNamingItsKey() {
        assertThatThrownBy(() -> DefaultPolicies.from(config(Map.of(
                "foundry.evaluator.default-policies.red.thresholds[0].metric", "perplexity",
                "foundry.evaluator.default-policies.red.thresholds[0].relative-slack", "0.05")).defaultPolicies()))
                .hasMessageContaining("foundry.evaluator.default-policies.red.thresholds[0].change_threshold.direction");
        assertThatThrownBy(() -> DefaultPolicies.from(config(Map.of(
                "foundry.evaluator.default-policies.red.thresholds[0].metric", "perplexity",
                "foundry.evaluator.default-policies.red.thresholds[0].direction", "up",
                "foundry.evaluator.default-policies.red.thresholds[0].absolute-slack", "1")).defaultPolicies()))
                .hasMessageContaining("direction 'up' is not one of [HIGHER_IS_BETTER, LOWER_IS_BETTER]");
    }

    @Test
    void aMisspelledKeyIsAnErrorNotASilentlyMissingBound() {
        assertThatThrownBy(() -> config(Map.of(
                "foundry.evaluator.default-policies.red.thresholds[0].metric", "accuracy",
                "foundry.evaluator.default-policies.red.thresholds[0].lower-bond", "0.9")))
                .hasMessageContaining("lower-bond");
    }

    private static EvaluatorConfig config(Map<String, String> properties) {
        // Quarkus' converter reads the mapping's "2m"-style durations, as in the running service.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(EvaluatorConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getConfigMapping(EvaluatorConfig.class);
    }
}
