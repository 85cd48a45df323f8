package org.lorafoundry.evaluator.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.lorafoundry.evaluator.config.EvaluatorConfig;
import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.messaging.EvaluationEventOutbox;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.evaluator.persistence.EvaluationRecord;
import org.lorafoundry.evaluator.persistence.EvaluationRepository;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out runs. In one transaction: lock the next evaluation that needs a run (new, or abandoned by a dead instance),
 * and either refuse it (EvaluationFailed: its policy or baseline cannot be used, or it was interrupted too often) or
 * start a run under a new token and lease. The first run chooses policy and baseline and publishes EvaluationStarted;
 * a run that takes over keeps them, so the evaluation's events all name the same baseline.
 */
@ApplicationScoped
public class EvaluationClaims {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationClaims.class);

    /** What one claim transaction did. */
    private sealed interface Step {
        record NothingToDo() implements Step {
        }

        record Refused() implements Step {
        }

        record Claimed(Claim claim) implements Step {
        }
    }

    private final Transactions transactions;
    private final EvaluationRepository evaluations;
    private final EvaluationPlanner planner;
    private final EvaluationEventOutbox events;
    private final EvaluatorConfig config;
    private final MeterRegistry meters;

    EvaluationClaims(Transactions transactions, EvaluationRepository evaluations, EvaluationPlanner planner,
            EvaluationEventOutbox events, EvaluatorConfig config, MeterRegistry meters) {
        this.transactions = transactions;
        this.evaluations = evaluations;
        this.planner = planner;
        this.events = events;
        this.config = config;
        this.meters = meters;
    }

    /** The next run for {@code runner}; empty when no evaluation needs one. */
    public Optional<Claim> claimNext(String runner) throws SQLException {
        while (true) {
            Step step = transactions.inTransaction(tx -> step(tx, runner));
            if (step instanceof Step.Claimed claimed) {
                return Optional.of(claimed.claim());
            }
            if (step instanceof Step.NothingToDo) {
                return Optional.empty();
            }
            // refused: look at the next one
        }
    }

    private Step step(Connection tx, String runner) throws SQLException {
        Optional<EvaluationRecord> next = evaluations.lockNextClaimable(tx);
        if (next.isEmpty()) {
            return new Step.NothingToDo();
        }
        EvaluationRecord evaluation = next.get();
        if (evaluation.runs() >= config.maxRuns()) {
            refuse(tx, evaluation, EvaluationErrorCode.EVALUATION_ERROR_CODE_INTERNAL, "the evaluation was interrupted "
                    + evaluation.runs() + " times without finishing (the evaluator was killed or lost its lease while "
                    + "evaluating, e.g. out of memory); lower spec.evaluation.max_eval_examples or "
                    + "max_reference_examples, or give the evaluator more memory, then submit the job again");
            return new Step.Refused();
        }
        EvaluationPlan plan;
        if (evaluation.plan().isPresent()) {
            plan = evaluation.plan().get();
            LOG.warn("Evaluation of job {} (attempt {}) was abandoned by its previous run: run {} takes over",
                    evaluation.jobId(), evaluation.attemptId(), evaluation.runs() + 1);
        } else {
            try {
                plan = planner.plan(tx, evaluation);
            } catch (EvaluationException e) {
                refuse(tx, evaluation, e.code(), e.getMessage());
                return new Step.Refused();
            }
        }
        UUID token = UUID.randomUUID();
        evaluations.beginRun(tx, evaluation, token, runner, config.lease(), plan);
        if (evaluation.plan().isEmpty()) {
            events.started(tx, evaluation.cause(), EvaluationMessages.started(evaluation, plan));
        }
        return new Step.Claimed(new Claim(evaluation, plan, token));
    }

    private void refuse(Connection tx, EvaluationRecord evaluation, EvaluationErrorCode code, String message)
            throws SQLException {
        evaluations.fail(tx, evaluation.id(), evaluation.state(), code, message);
        events.failed(tx, evaluation.cause(), EvaluationMessages.failed(evaluation, code, message));
        meters.counter("foundry.evaluator.evaluations", "outcome", "error", "code", code.name()).increment();
        LOG.warn("Evaluation of job {} (attempt {}) failed before it could run: {} {}", evaluation.jobId(),
                evaluation.attemptId(), code, message);
    }
}
