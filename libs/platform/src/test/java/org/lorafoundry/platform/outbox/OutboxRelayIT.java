package org.lorafoundry.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.outbox.OutboxRelay.OutboxRelayConfig;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.support.PlatformSchema;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.KafkaTestClient;

/** The outbox against a real PostgreSQL and a real Kafka broker. */
class OutboxRelayIT {

    private final String bootstrap = FoundryInfrastructure.get().kafkaBootstrapServers();
    private final KafkaTestClient kafka = new KafkaTestClient(bootstrap);
    private String topic;
    private PlatformSchema database;
    private KafkaProducer<String, byte[]> producer;
    private OutboxRelay relay;
    private final Outbox outbox = new Outbox();

    @BeforeEach
    void setUp() throws Exception {
        topic = "outbox-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        database = PlatformSchema.create();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
        relay = new OutboxRelay(database, producer, OutboxRelayConfig.defaultsFor("outbox-it"));
    }

    @AfterEach
    void tearDown() {
        producer.close();
    }

    @Test
    void publishesCommittedEventsWithTheirHeadersAndMarksThem() throws Exception {
        EventMetadata metadata = EventMetadata.newEvent("JobAccepted");
        new Transactions(database).inTransaction(tx -> {
            outbox.append(tx, new OutboxMessage(topic, "job-1", metadata, "payload".getBytes(StandardCharsets.UTF_8)));
            return null;
        });

        assertThat(relay.publishPending()).isEqualTo(1);
        assertThat(relay.publishPending()).isZero();

        List<ConsumerRecord<String, byte[]>> records = kafka.await(topic, r -> true, 1, Duration.ofSeconds(30));
        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.key()).isEqualTo("job-1");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("payload");
        assertThat(KafkaTestClient.header(record, EventHeaders.EVENT_ID)).isEqualTo(metadata.eventId());
        assertThat(KafkaTestClient.header(record, EventHeaders.EVENT_TYPE)).isEqualTo("JobAccepted");
        assertThat(KafkaTestClient.header(record, EventHeaders.TRACEPARENT)).isEqualTo(metadata.traceparent());
        assertThat(count("select count(*) from outbox where published_at is null")).isZero();
    }

    @Test
    void aRolledBackTransactionPublishesNothing() throws Exception {
        try {
            new Transactions(database).inTransaction(tx -> {
                outbox.append(tx, new OutboxMessage(topic, "job-2", EventMetadata.newEvent("JobAccepted"), new byte[] {1}));
                throw new IllegalStateException("state change failed");
            });
        } catch (IllegalStateException expected) {
            // the effect failed, so its event must not exist
        }

        assertThat(relay.publishPending()).isZero();
        assertThat(count("select count(*) from outbox")).isZero();
        assertThat(kafka.readAll(topic, r -> true, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void keepsTheOrderOfEachKeyAcrossBatches() throws Exception {
        int perKey = 120;
        for (int i = 0; i < perKey; i++) {
            int sequence = i;
            new Transactions(database).inTransaction(tx -> {
                for (String key : List.of("a", "b", "c")) {
                    outbox.append(tx, new OutboxMessage(topic, key, EventMetadata.newEvent("Step"),
                            Integer.toString(sequence).getBytes(StandardCharsets.UTF_8)));
                }
                return null;
            });
        }
        OutboxRelay smallBatches = new OutboxRelay(database, producer,
                new OutboxRelayConfig(7, Duration.ofSeconds(30), Duration.ofDays(1), 42));
        int published = 0;
        int batch;
        while ((batch = smallBatches.publishPending()) > 0) {
            published += batch;
        }
        assertThat(published).isEqualTo(3 * perKey);

        List<ConsumerRecord<String, byte[]>> records = kafka.await(topic, r -> true, 3 * perKey, Duration.ofSeconds(60));
        for (String key : List.of("a", "b", "c")) {
            List<Integer> sequence = records.stream().filter(r -> r.key().equals(key))
                    .map(r -> Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8))).toList();
            assertThat(sequence).as("key " + key).hasSize(perKey).isSorted();
        }
    }

    @Test
    void onlyOneRelayPublishesAtATime() throws Exception {
        new Transactions(database).inTransaction(tx -> {
            outbox.append(tx, new OutboxMessage(topic, "k", EventMetadata.newEvent("E"), new byte[] {1}));
            return null;
        });
        OutboxRelayConfig config = OutboxRelayConfig.defaultsFor("outbox-it");
        try (Connection other = database.getConnection()) {
            other.setAutoCommit(false);
            try (Statement lock = other.createStatement()) {
                lock.execute("select pg_advisory_xact_lock(" + config.lockId() + ")");
            }
            assertThat(relay.publishPending()).as("another replica holds the lock").isZero();
            other.rollback();
        }
        assertThat(relay.publishPending()).isEqualTo(1);
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
