package org.lorafoundry.registry.messaging;

import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.smallrye.common.annotation.Blocking;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.registry.service.InvalidEventException;
import org.lorafoundry.registry.service.RegistrationService;

/**
 * Consumes {@code foundry.evaluation.events}: every EvaluationCompleted (passed or rejected) becomes an adapter version.
 * EvaluationStarted and EvaluationFailed register nothing. A record that cannot be decoded or can never be registered
 * goes to the dead-letter topic with the reason; any other failure (database or blob store down) is retried with
 * back-off on the same record, and the offset is committed only after the registration is durable.
 */
@ApplicationScoped
public class EvaluationEventConsumer {

    private final RegistrationService registrations;
    private final DeadLetters deadLetters;

    EvaluationEventConsumer(RegistrationService registrations, Producer<String, byte[]> producer) {
        this.registrations = registrations;
        this.deadLetters = new DeadLetters(producer, RegistrationService.CONSUMER);
    }

    @Incoming("evaluation-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES,
            jitter = 200)
    public void onEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        EvaluationEvent event;
        try {
            event = EvaluationEvent.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            deadLetters.publish(record, "Not a foundry.v1.EvaluationEvent: " + e.getMessage(), e);
            return;
        }
        if (event.getEventCase() != EvaluationEvent.EventCase.EVALUATION_COMPLETED) {
            return; // EvaluationStarted / EvaluationFailed / a newer event type: nothing to register
        }
        EventMetadata metadata = EventMetadata.of(record, "EvaluationCompleted");
        metadata = new EventMetadata(metadata.eventId(), "EvaluationCompleted", metadata.traceparent());
        Instant evaluatedAt = event.hasOccurredAt()
                ? Instant.ofEpochSecond(event.getOccurredAt().getSeconds(), event.getOccurredAt().getNanos()) : null;
        try {
            registrations.register(metadata, event.getEvaluationCompleted(), evaluatedAt);
        } catch (InvalidEventException e) {
            deadLetters.publish(record, e.getMessage(), null);
        }
    }
}
