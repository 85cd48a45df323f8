package org.lorafoundry.evaluator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.lorafoundry.evaluator.domain.TeamDefaultPolicies;
import org.lorafoundry.evaluator.gate.GatePolicyProblems;
import org.lorafoundry.proto.v1.BaselineMode;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ValueThreshold;

/**
 * Turns {@code foundry.evaluator.default-policies} into GatePolicy messages, checked like a job's policy. A policy that
 * cannot be applied stops the service at start-up with the offending key, rather than failing jobs one by one later.
 */
public final class DefaultPolicies {

    private static final String PREFIX = "foundry.evaluator.default-policies.";

    private DefaultPolicies() {
    }

    /** @throws IllegalArgumentException naming the key of every problem */
    public static TeamDefaultPolicies from(Map<String, EvaluatorConfig.Policy> configured) {
        Map<String, GatePolicy> policies = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        configured.forEach((team, policy) -> {
            String key = PREFIX + (team.equals(TeamDefaultPolicies.EVERY_OTHER_TEAM) ? "\"*\"" : team);
            try {
                GatePolicy gate = toGatePolicy(policy);
                GatePolicyProblems.of(gate).forEach(problem -> problems.add(key + "." + problem));
                policies.put(team, gate);
            } catch (IllegalArgumentException e) {
                problems.add(key + ": " + e.getMessage());
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid default gate policies: " + String.join("; ", problems));
        }
        return new TeamDefaultPolicies(policies);
    }

    static GatePolicy toGatePolicy(EvaluatorConfig.Policy policy) {
        GatePolicy.Builder gate = GatePolicy.newBuilder()
                .setBaselineMode(enumValue(BaselineMode.class, "BASELINE_MODE_", policy.baselineMode(), "baseline-mode"));
        policy.baselineAlias().ifPresent(gate::setBaselineAlias);
        for (EvaluatorConfig.Threshold threshold : policy.thresholds()) {
            MetricThreshold.Builder metric = MetricThreshold.newBuilder().setMetricName(threshold.metric());
            if (threshold.lowerBound().isPresent() || threshold.upperBound().isPresent()) {
                ValueThreshold.Builder value = metric.getValueThresholdBuilder();
                threshold.lowerBound().ifPresent(value::setLowerBound);
                threshold.upperBound().ifPresent(value::setUpperBound);
            }
            if (threshold.direction().isPresent() || threshold.absoluteSlack().isPresent()
                    || threshold.relativeSlack().isPresent()) {
                ChangeThreshold.Builder change = metric.getChangeThresholdBuilder();
                threshold.direction().ifPresent(direction -> change.setDirection(
                        enumValue(MetricDirection.class, "METRIC_DIRECTION_", direction, "direction")));
                threshold.absoluteSlack().ifPresent(change::setAbsoluteSlack);
                threshold.relativeSlack().ifPresent(change::setRelativeSlack);
            }
            gate.addThresholds(metric);
        }
        return gate.build();
    }

    /** Accepts the proto name with or without its prefix, any case, '-' for '_' (e.g. lower-is-better). */
    private static <E extends Enum<E>> E enumValue(Class<E> type, String prefix, String text, String property) {
        String name = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        String full = name.startsWith(prefix) ? name : prefix + name;
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(full) && !full.endsWith("_UNSPECIFIED")) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            if (!constant.name().endsWith("_UNSPECIFIED") && !constant.name().equals("UNRECOGNIZED")) {
                allowed.add(constant.name().substring(prefix.length()));
            }
        }
        throw new IllegalArgumentException(property + " '" + text + "' is not one of " + allowed);
    }
}
