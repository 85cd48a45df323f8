package org.lorafoundry.jobs.messaging;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
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
        event.setOccurredAt(ProtoTimestamps.now());
        outbox.append(tx, Topics.JOB_EVENTS, jobId, cause, type, event.build().toByteArray());
    }
}
