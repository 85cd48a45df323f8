package org.lorafoundry.platform.outbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

import org.lorafoundry.platform.messaging.EventMetadata;

/**
 * Appends events to the {@code outbox} table inside the caller's transaction, so that an event exists if and only if the
 * state change it announces was committed. {@link OutboxRelay} publishes them afterwards.
 */
public final class Outbox {

    private static final String INSERT = """
            insert into outbox (topic, record_key, event_id, event_type, traceparent, payload)
            values (?, ?, ?, ?, ?, ?)""";

    /**
     * Appends an event caused by {@code cause}: a new event id of the given type, in the cause's trace.
     *
     * @param payload the serialised topic envelope
     */
    public void append(Connection transaction, String topic, String key, EventMetadata cause, String eventType,
            byte[] payload) throws SQLException {
        append(transaction, new OutboxMessage(topic, key, EventMetadata.causedBy(cause, eventType), payload));
    }

    public void append(Connection transaction, OutboxMessage message) throws SQLException {
        try (PreparedStatement insert = transaction.prepareStatement(INSERT)) {
            insert.setString(1, message.topic());
            insert.setString(2, message.key());
            insert.setString(3, message.metadata().eventId());
            insert.setString(4, message.metadata().eventType());
            insert.setString(5, message.metadata().traceparent());
            insert.setBytes(6, message.payload());
            insert.executeUpdate();
        }
    }
}
