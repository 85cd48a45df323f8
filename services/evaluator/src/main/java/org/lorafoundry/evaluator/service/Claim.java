package org.lorafoundry.evaluator.service;

import java.util.Objects;
import java.util.UUID;

import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.persistence.EvaluationRecord;

/**
 * A run of an evaluation this instance holds.
 *
 * @param token the run's fencing token: only its holder may finish the evaluation
 */
public record Claim(EvaluationRecord evaluation, EvaluationPlan plan, UUID token) {

    public Claim {
        Objects.requireNonNull(evaluation, "evaluation");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(token, "token");
    }
}
