package org.lorafoundry.evaluator.service;

import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.persistence.EvaluationRecord;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.EvaluationFailed;
import org.lorafoundry.proto.v1.EvaluationStarted;

/** The EvaluationStarted and EvaluationFailed of an evaluation (EvaluationCompleted is built by the runner). */
final class EvaluationMessages {

    private EvaluationMessages() {
    }

    static EvaluationStarted started(EvaluationRecord evaluation, EvaluationPlan plan) {
        return EvaluationStarted.newBuilder().setJobId(evaluation.jobId()).setTeam(evaluation.team())
                .setAdapterName(evaluation.adapterName()).setAttemptId(evaluation.attemptId())
                .setBaseline(plan.baseline().baseline())
                .setBaselineDescription(plan.baseline().baseline().getDescription()).build();
    }

    static EvaluationFailed failed(EvaluationRecord evaluation, EvaluationErrorCode code, String message) {
        return EvaluationFailed.newBuilder().setJobId(evaluation.jobId()).setTeam(evaluation.team()).setCode(code)
                .setMessage(message).setAttemptId(evaluation.attemptId()).setAdapterName(evaluation.adapterName())
                .build();
    }
}
