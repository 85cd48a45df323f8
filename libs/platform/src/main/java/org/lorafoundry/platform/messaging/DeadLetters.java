package org.lorafoundry.platform.messaging;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be processed to {@link Topics#DEAD_LETTERS}: the original key, value and headers, plus the
 * reason. Header names are those of SmallRye Reactive Messaging's dead-letter strategy, so every dead letter of the
 * platform reads the same whichever consumer wrote it.
 */
public final class DeadLetters {

    public static final String REASON = "dead-letter-reason";
    public static final String CAUSE = "dead-letter-cause";
    public static final String ORIGINAL_TOPIC = "dead-letter-topic";
    public static final String ORIGINAL_PARTITION = "dead-letter-partition";
    public static final String ORIGINAL_OFFSET = "dead-letter-offset";
    /** Which consumer gave up on the record. */
    public static final String CONSUMER = "foundry-dead-letter-consumer";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final Producer<String, byte[]> producer;
    private final String consumerName;

    public DeadLetters(Producer<String, byte[]> producer, String consumerName) {
        this.producer = producer;
        this.consumerName = consumerName;
    }

    /**
     * Publishes the dead letter and waits until the broker has it, so that the caller may then commit past the record.
     */
    public void publish(ConsumerRecord<String, byte[]> record, String reason, Throwable cause) {
        ProducerRecord<String, byte[]> letter = new ProducerRecord<>(Topics.DEAD_LETTERS, record.key(), record.value());
        for (Header header : record.headers()) {
            letter.headers().add(header);
        }
        put(letter, REASON, reason);
        if (cause != null) {
            put(letter, CAUSE, cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        put(letter, ORIGINAL_TOPIC, record.topic());
        put(letter, ORIGINAL_PARTITION, Integer.toString(record.partition()));
        put(letter, ORIGINAL_OFFSET, Long.toString(record.offset()));
        put(letter, CONSUMER, consumerName);
        try {
            producer.send(letter).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while dead-lettering " + coordinates(record), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not dead-letter " + coordinates(record), e);
        }
        LOG.warn("Dead-lettered {} ({}): {}", coordinates(record), consumerName, reason);
    }

    private static void put(ProducerRecord<String, byte[]> letter, String name, String value) {
        letter.headers().remove(name);
        letter.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String coordinates(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
