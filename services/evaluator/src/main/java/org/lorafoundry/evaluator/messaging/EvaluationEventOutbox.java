package org.lorafoundry.evaluator.messaging;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.EvaluationFailed;
import org.lorafoundry.proto.v1.EvaluationStarted;

/**
 * Writes {@code foundry.evaluation.events} envelopes to the outbox in the caller's transaction, keyed by job id, each
 * caused by (in the trace of) the TrainingSucceeded that asked for the evaluation.
 */
@ApplicationScoped
public class EvaluationEventOutbox {

    private final Outbox outbox;

    EvaluationEventOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void started(Connection tx, EventMetadata cause, EvaluationStarted started) throws SQLException {
        append(tx, cause, started.getJobId(), "EvaluationStarted", EvaluationEvent.newBuilder().setEvaluationStarted(started));
    }

    public void completed(Connection tx, EventMetadata cause, EvaluationCompleted completed) throws SQLException {
        append(tx, cause, completed.getJobId(), "EvaluationCompleted",
                EvaluationEvent.newBuilder().setEvaluationCompleted(completed));
    }

    public void failed(Connection tx, EventMetadata cause, EvaluationFailed failed) throws SQLException {
        append(tx, cause, failed.getJobId(), "EvaluationFailed", EvaluationEvent.newBuilder().setEvaluationFailed(failed));
    }

    private void append(Connection tx, EventMetadata cause, String jobId, String type, EvaluationEvent.Builder event)
            throws SQLException {
        event.setOccurredAt(ProtoTimestamps.now());
        outbox.append(tx, Topics.EVALUATION_EVENTS, jobId, cause, type, event.build().toByteArray());
    }
}
