package org.lorafoundry.platform.messaging;

import java.time.Instant;

import com.google.protobuf.Timestamp;

/** {@code google.protobuf.Timestamp} values for envelopes ({@code occurred_at}) and events. */
public final class ProtoTimestamps {

    private ProtoTimestamps() {
    }

    public static Timestamp now() {
        return of(Instant.now());
    }

    public static Timestamp of(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant toInstant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
}
