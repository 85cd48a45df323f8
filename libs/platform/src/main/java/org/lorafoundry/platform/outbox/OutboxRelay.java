package org.lorafoundry.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes committed outbox rows to Kafka, oldest first, and marks them published: at least once, in order per key.
 *
 * <p>Order: services lock the entity row before appending its event, so the events of one key get increasing ids in
 * commit order. One relay at a time holds a transaction-scoped advisory lock, so two replicas of a service never interleave;
 * within a batch rows are sent in id order by an idempotent producer, and a failed send stops the batch there, so nothing
 * later is marked published before it. A crash after sending but before marking re-sends the rows: consumers are
 * idempotent on {@code foundry-event-id}.
 */
public final class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private static final String SELECT_PENDING = """
            select id, topic, record_key, event_id, event_type, traceparent, payload
            from outbox where published_at is null order by id limit ?""";
    private static final String MARK_PUBLISHED = "update outbox set published_at = now() where id = any (?)";
    private static final String PURGE = "delete from outbox where published_at < now() - make_interval(secs => ?)";

    private final DataSource dataSource;
    private final Transactions transactions;
    private final Producer<String, byte[]> producer;
    private final OutboxRelayConfig config;

    public OutboxRelay(DataSource dataSource, Producer<String, byte[]> producer, OutboxRelayConfig config) {
        this.dataSource = dataSource;
        this.transactions = new Transactions(dataSource);
        this.producer = producer;
        this.config = config;
    }

    /**
     * Publishes one batch of pending rows.
     *
     * @return how many rows were published; 0 when there were none or another relay holds the lock
     */
    public int publishPending() throws SQLException {
        return transactions.inTransaction(this::publishBatch);
    }

    /** Deletes rows published longer ago than the configured retention. */
    public int purgePublished() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setDouble(1, config.retention().toSeconds());
            return purge.executeUpdate();
        }
    }

    private int publishBatch(Connection connection) throws SQLException {
        if (!tryLock(connection)) {
            return 0;
        }
        List<PendingRow> rows = selectPending(connection);
        List<Long> sent = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (PendingRow row : rows) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(row.topic(), row.key(), row.payload());
            row.metadata().writeTo(record.headers());
            acks.add(producer.send(record));
        }
        producer.flush();
        for (int i = 0; i < rows.size(); i++) {
            try {
                acks.get(i).get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
                sent.add(rows.get(i).id());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // Stop here: the rows after it stay pending, so a key's later events never overtake this one.
                LOG.warn("Outbox row {} (event {}) not published yet: {}", rows.get(i).id(),
                        rows.get(i).metadata().eventId(), e.getMessage());
                break;
            }
        }
        if (!sent.isEmpty()) {
            try (PreparedStatement mark = connection.prepareStatement(MARK_PUBLISHED)) {
                mark.setArray(1, connection.createArrayOf("bigint", sent.toArray()));
                mark.executeUpdate();
            }
        }
        return sent.size();
    }

    private boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, config.lockId());
            try (ResultSet result = lock.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }

    private List<PendingRow> selectPending(Connection connection) throws SQLException {
        List<PendingRow> rows = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_PENDING)) {
            select.setInt(1, config.batchSize());
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    rows.add(new PendingRow(result.getLong("id"), result.getString("topic"), result.getString("record_key"),
                            new EventMetadata(result.getString("event_id"), result.getString("event_type"),
                                    result.getString("traceparent")),
                            result.getBytes("payload")));
                }
            }
        }
        return rows;
    }

    private record PendingRow(long id, String topic, String key, EventMetadata metadata, byte[] payload) {
    }

    /** Settings of a relay. */
    public record OutboxRelayConfig(int batchSize, Duration sendTimeout, Duration retention, long lockId) {

        /**
         * Defaults for the outbox of one service. Advisory locks are database-wide while each service has its own schema,
         * so the lock id is derived from the owner's name: replicas of one service exclude each other, services do not.
         */
        public static OutboxRelayConfig defaultsFor(String owner) {
            return new OutboxRelayConfig(500, Duration.ofSeconds(30), Duration.ofDays(1), lockIdFor(owner));
        }

        static long lockIdFor(String owner) {
            CRC32 crc = new CRC32();
            crc.update(("foundry-outbox:" + owner).getBytes(StandardCharsets.UTF_8));
            return crc.getValue();
        }
    }
}
