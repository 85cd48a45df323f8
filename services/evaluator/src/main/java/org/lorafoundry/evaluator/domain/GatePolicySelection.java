package org.lorafoundry.evaluator.domain;

import java.util.List;
import java.util.Optional;

import org.lorafoundry.evaluator.gate.GatePolicyProblems;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.JobSpec;

/**
 * Which gate policy a job is judged by: its own {@code spec.gate_policy} when it has one, otherwise its team's default
 * (then the platform default). A policy that is present but has no thresholds is refused, not replaced by a default:
 * an explicitly empty gate is a mistake to report, and nothing is blessed by accident.
 */
public final class GatePolicySelection {

    private GatePolicySelection() {
    }

    /** @throws EvaluationException INVALID_GATE_POLICY, with what to change */
    public static PolicyChoice select(JobSpec spec, String team, TeamDefaultPolicies defaults) throws EvaluationException {
        if (spec.hasGatePolicy()) {
            List<String> problems = GatePolicyProblems.of(spec.getGatePolicy());
            if (!problems.isEmpty()) {
                throw invalid("spec.gate_policy cannot be applied: " + String.join("; ", problems)
                        + (spec.getGatePolicy().getThresholdsCount() == 0
                                ? "; add thresholds, or leave gate_policy out to use the team's default policy" : ""));
            }
            return new PolicyChoice(spec.getGatePolicy(), PolicyChoice.Source.JOB);
        }
        Optional<PolicyChoice> teamDefault = defaults.forTeam(team);
        if (teamDefault.isEmpty()) {
            throw invalid("the job has no gate_policy and team " + team + " has no default policy: give the job a "
                    + "gate_policy with thresholds, or configure foundry.evaluator.default-policies." + team);
        }
        return teamDefault.get();
    }

    private static EvaluationException invalid(String message) {
        return new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_INVALID_GATE_POLICY, message);
    }
}
