package org.lorafoundry.evaluator.domain;

import java.util.Objects;

/** What an evaluation is judged by, fixed at its first run: the gate policy and the baseline. */
public record EvaluationPlan(PolicyChoice policy, BaselinePlan baseline) {

    public EvaluationPlan {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(baseline, "baseline");
    }
}
