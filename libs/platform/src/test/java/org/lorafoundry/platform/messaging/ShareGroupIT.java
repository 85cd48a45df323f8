package org.lorafoundry.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.KafkaTestClient;

/**
 * The aligned kafka-clients (4.4.0) against the broker: a share group with explicit acknowledgement and lock renewal
 * (KIP-932, KIP-1222) holds one task far past its lock duration, no other worker gets it meanwhile, and once accepted it
 * never comes back. This is the queue the training workers stand on; group settings come from a topic definition.
 */
class ShareGroupIT {

    private final String bootstrap = FoundryInfrastructure.get().kafkaBootstrapServers();

    @Test
    void aWorkerKeepsItsTaskByRenewingTheLockAndNobodyElseGetsIt() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String topic = "it.tasks." + suffix;
        String group = "it-workers-" + suffix;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(TopicDefinitions.parse(new StringReader("""
                    topic %s partitions=1
                    group %s share.auto.offset.reset=earliest share.record.lock.duration.ms=2000 share.delivery.count.limit=3 share.renew.acknowledge.enable=true
                    """.formatted(topic, group)), "test"), List.of());
        }
        new KafkaTestClient(bootstrap).send(topic, "job-1", new byte[] {42}, Map.of());

        try (KafkaShareConsumer<String, byte[]> worker = shareConsumer(group, "worker-a");
             KafkaShareConsumer<String, byte[]> other = shareConsumer(group, "worker-b")) {
            worker.subscribe(List.of(topic));
            other.subscribe(List.of(topic));
            ConsumerRecord<String, byte[]> task = pollOne(worker, Duration.ofSeconds(30));
            assertThat(task.key()).isEqualTo("job-1");
            assertThat(task.deliveryCount()).contains((short) 1);

            // Hold it for three lock durations, renewing every 600 ms, while the other worker keeps asking.
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < until) {
                Thread.sleep(600);
                worker.acknowledge(task, AcknowledgeType.RENEW);
                worker.commitSync();
                ConsumerRecords<String, byte[]> again = worker.poll(Duration.ofMillis(100));
                assertThat(again.count()).as("the renewed task comes back to its holder only").isLessThanOrEqualTo(1);
                assertThat(other.poll(Duration.ofMillis(100)).count()).as("nobody else gets a held task").isZero();
            }

            worker.acknowledge(task, AcknowledgeType.ACCEPT);
            worker.commitSync();
            Thread.sleep(2500); // past a lock duration: an unaccepted record would be redelivered now
            assertThat(other.poll(Duration.ofSeconds(2)).count()).as("an accepted task is done").isZero();
        }
    }

    private KafkaShareConsumer<String, byte[]> shareConsumer(String group, String clientId) {
        return new KafkaShareConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                "share.acknowledgement.mode", "explicit",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                "share.acquire.mode", "record_limit"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static ConsumerRecord<String, byte[]> pollOne(KafkaShareConsumer<String, byte[]> consumer, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                assertThat(records.count()).isEqualTo(1);
                return records.iterator().next();
            }
        }
        throw new AssertionError("no task delivered within " + timeout);
    }
}
