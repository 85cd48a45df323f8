package org.lorafoundry.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EventMetadataTest {

    @Test
    void anEffectStaysInTheTraceOfItsCause() {
        EventMetadata cause = EventMetadata.newEvent("SubmitTrainingJob");
        EventMetadata effect = EventMetadata.causedBy(cause, "JobAccepted");

        assertThat(effect.eventId()).isNotEqualTo(cause.eventId());
        assertThat(effect.traceId()).isEqualTo(cause.traceId());
        assertThat(effect.traceparent()).isNotEqualTo(cause.traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
    }

    @Test
    void headersRoundTrip() {
        EventMetadata metadata = EventMetadata.newEvent("JobAccepted");
        RecordHeaders headers = new RecordHeaders();
        metadata.writeTo(headers);
        ConsumerRecord<String, byte[]> record = record(headers);

        assertThat(EventMetadata.of(record, "ignored")).isEqualTo(metadata);
    }

    @Test
    void aRecordWithoutHeadersGetsAnIdStableAcrossRedeliveries() {
        ConsumerRecord<String, byte[]> record = record(new RecordHeaders());

        EventMetadata first = EventMetadata.of(record, "SubmitTrainingJob");
        EventMetadata again = EventMetadata.of(record, "SubmitTrainingJob");

        assertThat(first.eventId()).isEqualTo("foundry.jobs.commands.demo/2/41").isEqualTo(again.eventId());
        assertThat(first.eventType()).isEqualTo("SubmitTrainingJob");
        assertThat(first.traceId()).isPresent();
    }

    @Test
    void anInvalidTraceparentIsReplaced() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(EventHeaders.TRACEPARENT, "garbage".getBytes(StandardCharsets.UTF_8));

        assertThat(EventMetadata.of(record(headers), "X").traceparent()).startsWith("00-").hasSize(55);
    }

    private static ConsumerRecord<String, byte[]> record(RecordHeaders headers) {
        return new ConsumerRecord<>("foundry.jobs.commands.demo", 2, 41L, 0L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, "job-1", new byte[0], headers,
                java.util.Optional.empty());
    }
}
