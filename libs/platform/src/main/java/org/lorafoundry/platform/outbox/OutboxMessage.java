package org.lorafoundry.platform.outbox;

import java.util.Objects;

import org.lorafoundry.platform.messaging.EventMetadata;

/**
 * An event to publish once the transaction that wrote it commits.
 *
 * @param topic    destination topic
 * @param key      record key (records of one key are published in the order they were appended)
 * @param metadata event id, type and trace context, sent as headers
 * @param payload  the serialised envelope
 */
public record OutboxMessage(String topic, String key, EventMetadata metadata, byte[] payload) {

    public OutboxMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(payload, "payload");
    }
}
