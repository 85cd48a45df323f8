package org.lorafoundry.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.KafkaTestClient;

class DeadLettersIT {

    @Test
    void aDeadLetterKeepsTheOriginalBytesAndSaysWhy() throws Exception {
        String bootstrap = FoundryInfrastructure.get().kafkaBootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(TopicDefinitions.fromClasspath(), List.of());
        }
        String key = "key-" + UUID.randomUUID();
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.EVENT_ID, "original-event".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<String, byte[]> bad = new ConsumerRecord<>("foundry.jobs.commands.demo", 1, 7L, 0L,
                TimestampType.CREATE_TIME, 0, 3, key, new byte[] {(byte) 0xff, 0x00, 0x13}, headers, java.util.Optional.empty());

        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            new DeadLetters(producer, "jobs.commands").publish(bad, "not a JobCommand: truncated message",
                    new IllegalArgumentException("protobuf says no"));
        }

        List<ConsumerRecord<String, byte[]>> letters = new KafkaTestClient(bootstrap)
                .await(Topics.DEAD_LETTERS, r -> key.equals(r.key()), 1, Duration.ofSeconds(30));
        assertThat(letters).hasSize(1);
        ConsumerRecord<String, byte[]> letter = letters.get(0);
        assertThat(letter.value()).containsExactly((byte) 0xff, 0x00, 0x13);
        assertThat(KafkaTestClient.header(letter, DeadLetters.REASON)).isEqualTo("not a JobCommand: truncated message");
        assertThat(KafkaTestClient.header(letter, DeadLetters.CAUSE)).contains("protobuf says no");
        assertThat(KafkaTestClient.header(letter, DeadLetters.ORIGINAL_TOPIC)).isEqualTo("foundry.jobs.commands.demo");
        assertThat(KafkaTestClient.header(letter, DeadLetters.ORIGINAL_PARTITION)).isEqualTo("1");
        assertThat(KafkaTestClient.header(letter, DeadLetters.ORIGINAL_OFFSET)).isEqualTo("7");
        assertThat(KafkaTestClient.header(letter, DeadLetters.CONSUMER)).isEqualTo("jobs.commands");
        assertThat(KafkaTestClient.header(letter, EventHeaders.EVENT_ID)).isEqualTo("original-event");
    }
}
