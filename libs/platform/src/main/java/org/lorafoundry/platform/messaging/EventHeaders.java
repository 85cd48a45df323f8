package org.lorafoundry.platform.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Names of the headers every Foundry record carries, and typed access to them. */
public final class EventHeaders {

    /** UUID of the event: the idempotency key of every consumer. */
    public static final String EVENT_ID = "foundry-event-id";
    /** The payload's message type inside the topic's envelope, e.g. {@code SubmitTrainingJob}. */
    public static final String EVENT_TYPE = "foundry-event-type";
    /** W3C trace context, carried from the cause to every effect. */
    public static final String TRACEPARENT = "traceparent";

    private EventHeaders() {
    }

    public static Optional<String> lastString(Headers headers, String name) {
        if (headers == null) {
            return Optional.empty();
        }
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null) {
            return Optional.empty();
        }
        String value = new String(header.value(), StandardCharsets.UTF_8).trim();
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    public static void put(Headers headers, String name, String value) {
        if (value != null) {
            headers.remove(name);
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
