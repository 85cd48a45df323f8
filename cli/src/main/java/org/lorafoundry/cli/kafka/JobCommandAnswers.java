package org.lorafoundry.cli.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.JobEvent;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * The jobs service's answer to one command sent over Kafka: the {@code JobAccepted} or {@code JobRejected} on
 * {@code foundry.jobs.events} whose {@code command_event_id} is the command's {@code foundry-event-id}.
 *
 * <p>Open it <em>before</em> sending: it pins the topic's end offsets then, so an answer that comes back faster than
 * the CLI starts reading is not missed. No consumer group (partitions are assigned, nothing is committed): a
 * command-line client reading its own answer must leave no state in the cluster.
 */
public final class JobCommandAnswers implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(250);

    private final String bootstrapServers;
    private final KafkaConsumer<String, byte[]> consumer;

    public JobCommandAnswers(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "foundry-cli-answers");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try {
            consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw CliException.usage("Kafka bootstrap servers '" + bootstrapServers + "' are not usable: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw unavailable("the topic " + Topics.JOB_EVENTS + " does not exist");
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolves the end offsets now, before the command is sent
        } catch (AuthorizationException e) {
            consumer.close(Duration.ZERO);
            throw new CliException(ExitCode.UNAUTHORISED, "KAFKA_NOT_AUTHORIZED", "Kafka refused reading "
                    + Topics.JOB_EVENTS + ": " + e.getMessage() + " (leave out --wait and use foundry jobs watch)");
        } catch (KafkaException e) {
            consumer.close(Duration.ZERO);
            throw unavailable(String.valueOf(e.getMessage()).replaceAll("\\.$", ""));
        }
    }

    /**
     * The answer to the command with this event id, or empty when none came within the timeout. Events of other
     * commands (other jobs, other teams) are skipped unread beyond their type.
     */
    public Optional<JobEvent> await(String jobId, String commandEventId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                if (!jobId.equals(record.key())) {
                    continue;
                }
                JobEvent event = parse(record.value());
                if (event == null) {
                    continue;
                }
                String answers = event.hasJobAccepted() ? event.getJobAccepted().getCommandEventId()
                        : event.hasJobRejected() ? event.getJobRejected().getCommandEventId() : null;
                if (commandEventId.equals(answers)) {
                    return Optional.of(event);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }

    private static JobEvent parse(byte[] value) {
        try {
            return value == null ? null : JobEvent.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return null; // not ours to judge: the jobs service's own consumers and the dead-letter topic deal with it
        }
    }

    private CliException unavailable(String why) {
        return new CliException(ExitCode.UNAVAILABLE, "KAFKA_UNAVAILABLE", "Kafka at " + bootstrapServers
                + " cannot be read for the jobs service's answers (" + why + "). Is the broker running "
                + "(--bootstrap, KAFKA_BOOTSTRAP_SERVERS)?");
    }
}
