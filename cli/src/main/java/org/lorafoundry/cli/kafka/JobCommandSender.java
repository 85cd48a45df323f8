package org.lorafoundry.cli.kafka;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.JobCommand;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.SubmitTrainingJob;

/**
 * Sends job commands straight to the team's command topic, as any Kafka client may (DESIGN.md, "Topics"): a
 * {@code foundry.v1.JobCommand} keyed by the job id, with the platform's event headers. The jobs service answers on
 * {@code foundry.jobs.events}; {@code foundry jobs show|watch} reads the outcome.
 */
public final class JobCommandSender implements AutoCloseable {

    /** How long a send may take in all, broker lookup included, before the CLI gives up. */
    private static final int SEND_TIMEOUT_MS = 30_000;

    private final String bootstrapServers;
    private final KafkaProducer<String, byte[]> producer;

    /** Where one command went. */
    public record Sent(String jobId, String eventId, String topic, int partition, long offset) {
    }

    public JobCommandSender(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "foundry-cli");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Fail within seconds when the broker or the topic is missing, instead of the client's default minute.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, SEND_TIMEOUT_MS - 5_000);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try {
            this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            // e.g. "No resolvable bootstrap urls given in bootstrap.servers"
            throw CliException.usage("Kafka bootstrap servers '" + bootstrapServers + "' are not usable: "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        }
    }

    /** Sends {@code SubmitTrainingJob}; the spec must carry its job id (the record key). */
    public Sent submit(String team, JobSpec spec) {
        if (spec.getJobId().isEmpty()) {
            throw new IllegalArgumentException("A job sent over Kafka needs its job id, to key the record and to be "
                    + "found again");
        }
        JobCommand command = JobCommand.newBuilder().setOccurredAt(ProtoTimestamps.now())
                .setSubmitTrainingJob(SubmitTrainingJob.newBuilder().setSpec(spec)).build();
        EventMetadata metadata = EventMetadata.newEvent("SubmitTrainingJob");
        String topic = topic(team);
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, spec.getJobId(), command.toByteArray());
        metadata.writeTo(record.headers());
        try {
            RecordMetadata written = producer.send(record).get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return new Sent(spec.getJobId(), metadata.eventId(), topic, written.partition(), written.offset());
        } catch (ExecutionException e) {
            throw failed(topic, e.getCause());
        } catch (TimeoutException e) {
            throw failed(topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.UNAVAILABLE, "INTERRUPTED", "Interrupted while sending to " + topic);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }

    private static String topic(String team) {
        try {
            return Topics.jobCommands(team);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
    }

    private CliException failed(String topic, Throwable cause) {
        if (cause instanceof AuthorizationException) {
            return new CliException(ExitCode.UNAUTHORISED, "KAFKA_NOT_AUTHORIZED", "Kafka refused writing to "
                    + topic + ": " + cause.getMessage() + " (each team's principal may write only its own topics)");
        }
        // A missing topic (unknown team) and an unreachable broker look alike to a producer: a metadata timeout.
        String why = String.valueOf(cause.getMessage()).replaceAll("\\.$", "");
        return new CliException(ExitCode.UNAVAILABLE, "KAFKA_UNAVAILABLE", "Kafka at " + bootstrapServers
                + " did not take the command for " + topic + " (" + why + "). Is the broker running "
                + "(--bootstrap, KAFKA_BOOTSTRAP_SERVERS), and is the team known to the platform (its topic exists)?");
    }
}
