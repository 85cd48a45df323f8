package org.lorafoundry.evaluator.domain;

import java.util.Map;
import java.util.Optional;

import org.lorafoundry.proto.v1.GatePolicy;

/**
 * The gate policies applied to jobs that name none, by team; the key {@value #EVERY_OTHER_TEAM} holds the policy of
 * teams without their own. Every policy here has been checked (it has thresholds and each is usable).
 */
public record TeamDefaultPolicies(Map<String, GatePolicy> byTeam) {

    public static final String EVERY_OTHER_TEAM = "*";

    public TeamDefaultPolicies {
        byTeam = Map.copyOf(byTeam);
    }

    public static TeamDefaultPolicies none() {
        return new TeamDefaultPolicies(Map.of());
    }

    /** The team's own default policy, else the platform's ({@value #EVERY_OTHER_TEAM}), else none. */
    public Optional<PolicyChoice> forTeam(String team) {
        GatePolicy own = byTeam.get(team);
        if (own != null) {
            return Optional.of(new PolicyChoice(own, PolicyChoice.Source.TEAM_DEFAULT));
        }
        return Optional.ofNullable(byTeam.get(EVERY_OTHER_TEAM))
                .map(policy -> new PolicyChoice(policy, PolicyChoice.Source.PLATFORM_DEFAULT));
    }
}
