package org.lorafoundry.evaluator.service;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.lorafoundry.evaluator.persistence.EvaluationRepository;
import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each TrainingSucceeded as a PENDING evaluation, in one transaction with its event id: a redelivered record
 * (same event id) and a second announcement of the same job attempt (another event id) both add nothing.
 */
@ApplicationScoped
public class EvaluationIntake {

    public static final String CONSUMER = "evaluator.training-events";
    private static final ProcessedEvents EVENTS = new ProcessedEvents(CONSUMER);
    private static final Logger LOG = LoggerFactory.getLogger(EvaluationIntake.class);

    /** What handling an event did. */
    public enum Outcome {
        QUEUED, DUPLICATE_EVENT, DUPLICATE_ATTEMPT
    }

    private final Transactions transactions;
    private final EvaluationRepository evaluations;
    private final WorkSignal signal;
    private final MeterRegistry meters;

    EvaluationIntake(Transactions transactions, EvaluationRepository evaluations, WorkSignal signal, MeterRegistry meters) {
        this.transactions = transactions;
        this.evaluations = evaluations;
        this.signal = signal;
        this.meters = meters;
    }

    /** @throws InvalidEventException the event names no job or no valid team: there is nobody to answer */
    public Outcome accept(EventMetadata cause, TrainingSucceeded succeeded) throws SQLException, InvalidEventException {
        String jobId = succeeded.getJobId();
        String team = succeeded.getTeam().isEmpty() ? succeeded.getTask().getTeam() : succeeded.getTeam();
        if (jobId.isBlank()) {
            throw new InvalidEventException("TrainingSucceeded has no job_id");
        }
        if (!Topics.isValidTeamName(team)) {
            throw new InvalidEventException("TrainingSucceeded of job " + jobId + " has no valid team ('" + team + "')");
        }
        String attemptId = attemptId(succeeded);
        Outcome outcome = transactions.inTransaction(tx -> {
            if (!EVENTS.claim(tx, cause.eventId())) {
                return Outcome.DUPLICATE_EVENT;
            }
            return evaluations.enqueue(tx, cause, attemptId, succeeded) ? Outcome.QUEUED : Outcome.DUPLICATE_ATTEMPT;
        });
        meters.counter("foundry.evaluator.training-succeeded", "outcome", outcome.name().toLowerCase()).increment();
        switch (outcome) {
            case QUEUED -> {
                LOG.info("Evaluation of job {} (attempt {}) queued", jobId, attemptId);
                signal.signal();
            }
            case DUPLICATE_ATTEMPT -> LOG.info("Job {} attempt {} is queued or evaluated already: event {} ignored", jobId,
                    attemptId, cause.eventId());
            default -> LOG.debug("Event {} was handled before", cause.eventId());
        }
        return outcome;
    }

    /** The training attempt's id; a producer that left it out still gets one evaluation per attempt number. */
    static String attemptId(TrainingSucceeded succeeded) {
        return succeeded.getAttemptId().isBlank() ? "attempt-" + succeeded.getAttempt() : succeeded.getAttemptId();
    }
}
