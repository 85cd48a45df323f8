package org.lorafoundry.platform.messaging;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The metadata of one event: its idempotency key, its type and its trace context.
 *
 * @param eventId     unique id of the event; consumers record it to apply each event once
 * @param eventType   name of the payload message inside the topic's envelope
 * @param traceparent W3C trace context ({@code 00-<trace>-<span>-01})
 */
public record EventMetadata(String eventId, String eventType, String traceparent) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public EventMetadata {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(eventType, "eventType");
        Objects.requireNonNull(traceparent, "traceparent");
    }

    /** A new event caused by nothing traced: a fresh id and a fresh trace. */
    public static EventMetadata newEvent(String eventType) {
        return new EventMetadata(UUID.randomUUID().toString(), eventType, newTraceparent());
    }

    /** A new event caused by {@code cause}: a fresh id in the cause's trace. */
    public static EventMetadata causedBy(EventMetadata cause, String eventType) {
        return new EventMetadata(UUID.randomUUID().toString(), eventType, childTraceparent(cause.traceparent()));
    }

    /**
     * Reads the metadata of a consumed record. Records from hand-held clients (kcat) may lack headers: the event id then
     * falls back to the record's coordinates, which are stable across redeliveries, so idempotency still holds.
     */
    public static EventMetadata of(ConsumerRecord<?, ?> record, String fallbackEventType) {
        Headers headers = record.headers();
        String id = EventHeaders.lastString(headers, EventHeaders.EVENT_ID)
                .orElse(record.topic() + "/" + record.partition() + "/" + record.offset());
        String type = EventHeaders.lastString(headers, EventHeaders.EVENT_TYPE).orElse(fallbackEventType);
        String trace = EventHeaders.lastString(headers, EventHeaders.TRACEPARENT)
                .filter(EventMetadata::isValidTraceparent)
                .orElseGet(EventMetadata::newTraceparent);
        return new EventMetadata(id, type, trace);
    }

    public void writeTo(Headers headers) {
        EventHeaders.put(headers, EventHeaders.EVENT_ID, eventId);
        EventHeaders.put(headers, EventHeaders.EVENT_TYPE, eventType);
        EventHeaders.put(headers, EventHeaders.TRACEPARENT, traceparent);
    }

    public Optional<String> traceId() {
        return isValidTraceparent(traceparent) ? Optional.of(traceparent.substring(3, 35)) : Optional.empty();
    }

    static boolean isValidTraceparent(String value) {
        return value != null && value.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    }

    static String newTraceparent() {
        return "00-" + randomHex(16) + "-" + randomHex(8) + "-01";
    }

    private static String childTraceparent(String parent) {
        if (!isValidTraceparent(parent)) {
            return newTraceparent();
        }
        return parent.substring(0, 36) + randomHex(8) + parent.substring(52);
    }

    private static String randomHex(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }
}
