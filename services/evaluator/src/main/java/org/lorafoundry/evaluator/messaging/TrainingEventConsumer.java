package org.lorafoundry.evaluator.messaging;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.smallrye.common.annotation.Blocking;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.lorafoundry.evaluator.service.EvaluationIntake;
import org.lorafoundry.evaluator.service.InvalidEventException;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.TrainingEvent;

/**
 * Consumes {@code foundry.training.events}: each TrainingSucceeded is recorded as an evaluation to run, and that is all
 * this thread does. The evaluation itself runs on the evaluator's worker threads, so the poll loop never waits minutes
 * for a model and never exceeds {@code max.poll.interval.ms}; the offset is committed once the evaluation is durably
 * recorded. Other training events are not the evaluator's business. A record that cannot be decoded, or a
 * TrainingSucceeded without job id or team (nothing to answer to), goes to the dead-letter topic.
 */
@ApplicationScoped
public class TrainingEventConsumer {

    private final EvaluationIntake intake;
    private final DeadLetters deadLetters;

    TrainingEventConsumer(EvaluationIntake intake, Producer<String, byte[]> producer) {
        this.intake = intake;
        this.deadLetters = new DeadLetters(producer, EvaluationIntake.CONSUMER);
    }

    @Incoming("training-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES,
            jitter = 200)
    public void onEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        TrainingEvent event;
        try {
            event = TrainingEvent.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            deadLetters.publish(record, "Not a foundry.v1.TrainingEvent: " + e.getMessage(), e);
            return;
        }
        if (!event.hasTrainingSucceeded()) {
            return; // started, progress, checkpoints, failures, cancellations: nothing to evaluate
        }
        EventMetadata metadata = EventMetadata.of(record, "TrainingSucceeded");
        metadata = new EventMetadata(metadata.eventId(), "TrainingSucceeded", metadata.traceparent());
        try {
            intake.accept(metadata, event.getTrainingSucceeded());
        } catch (InvalidEventException e) {
            deadLetters.publish(record, e.getMessage(), null);
        }
    }
}
