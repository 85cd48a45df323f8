package org.lorafoundry.jobs.messaging;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.Timestamp;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.platform.outbox.OutboxMessage;
import org.lorafoundry.proto.v1.JobAccepted;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.JobRejected;
import org.lorafoundry.proto.v1.JobStateChanged;

/** Writes {@code foundry.jobs.events} envelopes to the outbox, keyed by job id, in the caller's transaction. */
@ApplicationScoped
public class JobEventOutbox {

    private final Outbox outbox;

    JobEventOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void accepted(Connection tx, EventMetadata cause, JobAccepted accepted) throws SQLException {
        append(tx, cause, accepted.getJobId(), "JobAccepted", JobEvent.newBuilder().setJobAccepted(accepted));
    }

    public void rejected(Connection tx, EventMetadata cause, JobRejected rejected) throws SQLException {
        append(tx, cause, rejected.getJobId(), "JobRejected", JobEvent.newBuilder().setJobRejected(rejected));
    }

    public void stateChanged(Connection tx, EventMetadata cause, JobStateChanged changed) throws SQLException {
        append(tx, cause, changed.getJobId(), "JobStateChanged", JobEvent.newBuilder().setJobStateChanged(changed));
    }

    private void append(Connection tx, EventMetadata cause, String jobId, String type, JobEvent.Builder event)
            throws SQLException {
        event.setOccurredAt(now());
        outbox.append(tx, new OutboxMessage(Topics.JOB_EVENTS, jobId, EventMetadata.causedBy(cause, type),
                event.build().toByteArray()));
    }

    public static Timestamp now() {
        return timestamp(Instant.now());
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }
}
