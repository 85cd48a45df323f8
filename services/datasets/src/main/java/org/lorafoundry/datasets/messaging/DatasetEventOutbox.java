package org.lorafoundry.datasets.messaging;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetRejected;

/** Writes {@code foundry.datasets.events} envelopes to the outbox, keyed by dataset id, in the caller's transaction. */
@ApplicationScoped
public class DatasetEventOutbox {

    private final Outbox outbox;

    DatasetEventOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void ingested(Connection tx, EventMetadata cause, DatasetIngested ingested) throws SQLException {
        append(tx, cause, ingested.getDatasetId(), "DatasetIngested", DatasetEvent.newBuilder().setDatasetIngested(ingested));
    }

    public void rejected(Connection tx, EventMetadata cause, DatasetRejected rejected) throws SQLException {
        append(tx, cause, rejected.getDatasetId(), "DatasetRejected", DatasetEvent.newBuilder().setDatasetRejected(rejected));
    }

    private void append(Connection tx, EventMetadata cause, String datasetId, String type, DatasetEvent.Builder event)
            throws SQLException {
        event.setOccurredAt(ProtoTimestamps.now());
        outbox.append(tx, Topics.DATASET_EVENTS, datasetId, cause, type, event.build().toByteArray());
    }
}
