package org.lorafoundry.evaluator.persistence;

import java.util.Objects;
import java.util.Optional;

import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.domain.EvaluationState;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.TrainingSucceeded;

/**
 * One row of {@code evaluations}.
 *
 * @param cause the TrainingSucceeded record's metadata: every event of the evaluation is caused by it
 * @param runs  claims so far (before the current one)
 * @param plan  policy and baseline, once the first run has chosen them
 */
public record EvaluationRecord(long id, String jobId, String attemptId, String team, String adapterName,
        EvaluationState state, TrainingSucceeded training, EventMetadata cause, int runs, Optional<EvaluationPlan> plan) {

    public EvaluationRecord {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(training, "training");
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(plan, "plan");
    }
}
