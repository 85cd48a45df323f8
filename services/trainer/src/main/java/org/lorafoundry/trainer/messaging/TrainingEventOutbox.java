package org.lorafoundry.trainer.messaging;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.proto.v1.CheckpointSaved;
import org.lorafoundry.proto.v1.TrainingCancelled;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.TrainingFailed;
import org.lorafoundry.proto.v1.TrainingProgress;
import org.lorafoundry.proto.v1.TrainingStarted;
import org.lorafoundry.proto.v1.TrainingSucceeded;

/**
 * Writes the worker's {@code foundry.training.events} to the outbox, keyed by job id, each caused by the task's
 * delivery (same trace). Appended in the caller's transaction: a terminal event is durable once that commits, which is
 * when the worker may acknowledge the task.
 */
@ApplicationScoped
public class TrainingEventOutbox {

    private final Outbox outbox;

    TrainingEventOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void started(Connection tx, EventMetadata cause, TrainingStarted started) throws SQLException {
        append(tx, cause, started.getJobId(), "TrainingStarted", event().setTrainingStarted(started));
    }

    public void progress(Connection tx, EventMetadata cause, TrainingProgress progress) throws SQLException {
        append(tx, cause, progress.getJobId(), "TrainingProgress", event().setTrainingProgress(progress));
    }

    public void checkpointSaved(Connection tx, EventMetadata cause, CheckpointSaved saved) throws SQLException {
        append(tx, cause, saved.getJobId(), "CheckpointSaved", event().setCheckpointSaved(saved));
    }

    public void succeeded(Connection tx, EventMetadata cause, TrainingSucceeded succeeded) throws SQLException {
        append(tx, cause, succeeded.getJobId(), "TrainingSucceeded", event().setTrainingSucceeded(succeeded));
    }

    public void failed(Connection tx, EventMetadata cause, TrainingFailed failed) throws SQLException {
        append(tx, cause, failed.getJobId(), "TrainingFailed", event().setTrainingFailed(failed));
    }

    public void cancelled(Connection tx, EventMetadata cause, TrainingCancelled cancelled) throws SQLException {
        append(tx, cause, cancelled.getJobId(), "TrainingCancelled", event().setTrainingCancelled(cancelled));
    }

    private static TrainingEvent.Builder event() {
        return TrainingEvent.newBuilder().setOccurredAt(ProtoTimestamps.now());
    }

    private void append(Connection tx, EventMetadata cause, String jobId, String type, TrainingEvent.Builder event)
            throws SQLException {
        outbox.append(tx, Topics.TRAINING_EVENTS, jobId, cause, type, event.build().toByteArray());
    }
}
