package org.lorafoundry.evaluator.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.lorafoundry.evaluator.messaging.EvaluationEventOutbox;
import org.lorafoundry.evaluator.domain.EvaluationState;
import org.lorafoundry.evaluator.persistence.EvaluationRecord;
import org.lorafoundry.evaluator.persistence.EvaluationRepository;
import org.lorafoundry.evaluator.report.ReportContent;
import org.lorafoundry.evaluator.report.ReportWriter;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a run's outcome durable, once: in one transaction that first checks (and locks) that the run still holds the
 * evaluation, it stores the report, records COMPLETED or FAILED and appends EvaluationCompleted or EvaluationFailed to
 * the outbox. A run that lost its lease finishes nothing, so the reports in the blob store are written only by the
 * run whose event references them.
 */
@ApplicationScoped
public class EvaluationCompletion {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationCompletion.class);

    private final Transactions transactions;
    private final EvaluationRepository evaluations;
    private final EvaluationEventOutbox events;
    private final ReportWriter reports;
    private final MeterRegistry meters;

    EvaluationCompletion(Transactions transactions, EvaluationRepository evaluations, EvaluationEventOutbox events,
            ReportWriter reports, MeterRegistry meters) {
        this.transactions = transactions;
        this.evaluations = evaluations;
        this.events = events;
        this.reports = reports;
        this.meters = meters;
    }

    /** @return false when the run no longer held the evaluation (its outcome was dropped) */
    public boolean finish(Claim claim, RunOutcome outcome) throws SQLException {
        try {
            return record(claim, outcome);
        } catch (UncheckedIOException e) {
            return record(claim, new RunOutcome.Failed(EvaluationErrorCode.EVALUATION_ERROR_CODE_INTERNAL,
                    "the evaluation finished but its report cannot be stored in the blob store: " + e.getCause()));
        }
    }

    private boolean record(Claim claim, RunOutcome outcome) throws SQLException {
        EvaluationRecord evaluation = claim.evaluation();
        boolean held = transactions.inTransaction(tx -> {
            if (!evaluations.holdsRun(tx, evaluation.id(), claim.token())) {
                return false;
            }
            if (outcome instanceof RunOutcome.Completed done) {
                EvaluationCompleted completed = done.completed().toBuilder().setReport(writeReport(claim, done)).build();
                evaluations.complete(tx, evaluation.id(), completed);
                events.completed(tx, evaluation.cause(), completed);
            } else if (outcome instanceof RunOutcome.Failed failed) {
                evaluations.fail(tx, evaluation.id(), EvaluationState.RUNNING, failed.code(), failed.message());
                events.failed(tx, evaluation.cause(), EvaluationMessages.failed(evaluation, failed.code(),
                        failed.message()));
            }
            return true;
        });
        if (!held) {
            LOG.warn("Evaluation of job {} (attempt {}) was taken over by another run: this run's outcome is dropped",
                    evaluation.jobId(), evaluation.attemptId());
            return false;
        }
        if (outcome instanceof RunOutcome.Completed done) {
            boolean passed = done.completed().getVerdict() == Verdict.VERDICT_PASSED;
            meters.counter("foundry.evaluator.evaluations", "outcome", passed ? "passed" : "failed", "code", "NONE")
                    .increment();
            LOG.info("Evaluation of job {} (attempt {}): {}", evaluation.jobId(), evaluation.attemptId(),
                    done.completed().getSummary());
        } else if (outcome instanceof RunOutcome.Failed failed) {
            meters.counter("foundry.evaluator.evaluations", "outcome", "error", "code", failed.code().name()).increment();
            LOG.warn("Evaluation of job {} (attempt {}) failed: {} {}", evaluation.jobId(), evaluation.attemptId(),
                    failed.code(), failed.message());
        }
        return true;
    }

    private org.lorafoundry.proto.v1.BlobRef writeReport(Claim claim, RunOutcome.Completed done) {
        try {
            return reports.write(new ReportContent(done.completed(), claim.plan().policy().policy(),
                    claim.plan().policy().description(claim.evaluation().team()), done.examples(),
                    done.metrics().unknown()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
