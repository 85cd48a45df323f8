package org.lorafoundry.jobs.messaging;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.proto.v1.CancelTraining;
import org.lorafoundry.proto.v1.TrainingControl;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.TrainingTaskMessage;

/** Writes what jobs tells the training workers (tasks, cancellations) to the outbox, keyed by job id. */
@ApplicationScoped
public class TrainingOutbox {

    private final Outbox outbox;

    TrainingOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void task(Connection tx, EventMetadata cause, TrainingTask task) throws SQLException {
        byte[] payload = TrainingTaskMessage.newBuilder().setOccurredAt(ProtoTimestamps.now()).setTrainingTask(task)
                .build().toByteArray();
        outbox.append(tx, Topics.TRAINING_TASKS, task.getJobId(), cause, "TrainingTask", payload);
    }

    public void cancel(Connection tx, EventMetadata cause, CancelTraining cancel) throws SQLException {
        byte[] payload = TrainingControl.newBuilder().setOccurredAt(ProtoTimestamps.now()).setCancelTraining(cancel)
                .build().toByteArray();
        outbox.append(tx, Topics.TRAINING_CONTROL, cancel.getJobId(), cause, "CancelTraining", payload);
    }
}
