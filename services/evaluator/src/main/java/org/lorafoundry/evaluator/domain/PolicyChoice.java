package org.lorafoundry.evaluator.domain;

import java.util.Objects;

import org.lorafoundry.proto.v1.GatePolicy;

/** The gate policy an evaluation applies and where it came from. */
public record PolicyChoice(GatePolicy policy, Source source) {

    /** Where a policy came from. */
    public enum Source {
        /** spec.gate_policy of the job. */
        JOB,
        /** {@code foundry.evaluator.default-policies.<team>}. */
        TEAM_DEFAULT,
        /** {@code foundry.evaluator.default-policies."*"}. */
        PLATFORM_DEFAULT
    }

    public PolicyChoice {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(source, "source");
    }

    /** For people, e.g. "the job's gate_policy", "default policy of team demo". */
    public String description(String team) {
        return switch (source) {
            case JOB -> "the job's gate_policy";
            case TEAM_DEFAULT -> "default policy of team " + team;
            case PLATFORM_DEFAULT -> "platform default policy";
        };
    }
}
