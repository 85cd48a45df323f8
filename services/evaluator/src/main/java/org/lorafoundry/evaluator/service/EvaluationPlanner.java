package org.lorafoundry.evaluator.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.evaluator.domain.BaselinePlan;
import org.lorafoundry.evaluator.domain.BaselineSelection;
import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.domain.GatePolicySelection;
import org.lorafoundry.evaluator.domain.PolicyChoice;
import org.lorafoundry.evaluator.domain.TeamDefaultPolicies;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.evaluator.persistence.AliasTargetRepository;
import org.lorafoundry.evaluator.persistence.EvaluationRecord;
import org.lorafoundry.proto.v1.AliasTarget;
import org.lorafoundry.proto.v1.TrainingTask;

/** Chooses what an evaluation is judged by: the gate policy (job or team default) and the baseline (alias replica). */
@ApplicationScoped
public class EvaluationPlanner {

    private final TeamDefaultPolicies defaults;
    private final AliasTargetRepository aliases;

    EvaluationPlanner(TeamDefaultPolicies defaults, AliasTargetRepository aliases) {
        this.defaults = defaults;
        this.aliases = aliases;
    }

    /** @throws EvaluationException INVALID_GATE_POLICY or BASELINE_UNAVAILABLE, with what to change */
    public EvaluationPlan plan(Connection tx, EvaluationRecord evaluation) throws SQLException, EvaluationException {
        TrainingTask task = evaluation.training().getTask();
        PolicyChoice policy = GatePolicySelection.select(task.getSpec(), evaluation.team(), defaults);
        Optional<AliasTarget> aliased = evaluation.adapterName().isEmpty() ? Optional.empty()
                : aliases.find(tx, evaluation.team(), evaluation.adapterName(), BaselineSelection.alias(policy.policy()));
        BaselinePlan baseline = BaselineSelection.select(policy.policy(), evaluation.team(), evaluation.adapterName(),
                task.getBaseModel(), aliased);
        return new EvaluationPlan(policy, baseline);
    }
}
