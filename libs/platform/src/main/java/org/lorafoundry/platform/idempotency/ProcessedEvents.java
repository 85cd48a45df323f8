package org.lorafoundry.platform.idempotency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Idempotent consumption: a consumer records each event id it applies in the same transaction as the effect, so a
 * redelivered event (a crash before the offset commit, a producer retry, a replayed outbox row) is applied once.
 */
public final class ProcessedEvents {

    private static final String INSERT = """
            insert into processed_events (consumer, event_id) values (?, ?)
            on conflict (consumer, event_id) do nothing""";

    private final String consumer;

    /** @param consumer the name under which this consumer's applied events are recorded, e.g. {@code jobs.commands} */
    public ProcessedEvents(String consumer) {
        this.consumer = consumer;
    }

    /**
     * Claims the event inside the caller's transaction.
     *
     * @return true when the event is new and its effect must be applied in this transaction; false when it was applied
     *         before (or is being applied by a concurrent transaction that will commit first) and must be skipped
     */
    public boolean claim(Connection transaction, String eventId) throws SQLException {
        try (PreparedStatement insert = transaction.prepareStatement(INSERT)) {
            insert.setString(1, consumer);
            insert.setString(2, eventId);
            return insert.executeUpdate() == 1;
        }
    }
}
