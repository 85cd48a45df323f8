package org.lorafoundry.jobs.messaging;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;

import io.smallrye.common.annotation.Blocking;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.lorafoundry.jobs.service.ReplicaService;
import org.lorafoundry.jobs.service.TrainingEventService;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.WorkerEvent;

/**
 * What jobs hears from the rest of the platform: datasets and base models (replicas), worker heartbeats (capacity),
 * training and evaluation events (job progress). Undecodable records go to the dead-letter topic; database failures
 * are retried on the same record, and the offset is committed only once the effect is durable.
 */
@ApplicationScoped
public class PlatformEventConsumer {

    private final ReplicaService replicas;
    private final TrainingEventService training;
    private final DeadLetters deadLetters;

    PlatformEventConsumer(ReplicaService replicas, TrainingEventService training, Producer<String, byte[]> producer) {
        this.replicas = replicas;
        this.training = training;
        this.deadLetters = new DeadLetters(producer, "jobs.platform-events");
    }

    @Incoming("dataset-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES)
    public void onDatasetEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<DatasetEvent> event = decode(record, DatasetEvent.parser());
        if (event.isPresent()) {
            switch (event.get().getEventCase()) {
                case DATASET_INGESTED -> replicas.datasetIngested(event.get().getDatasetIngested());
                case DATASET_REJECTED -> replicas.datasetRejected(event.get().getDatasetRejected());
                default -> {
                    // a newer event type this version does not know: nothing to keep
                }
            }
        }
    }

    @Incoming("registry-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES)
    public void onRegistryEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<RegistryEvent> event = decode(record, RegistryEvent.parser());
        if (event.isPresent() && event.get().hasBaseModelRegistered()) {
            replicas.baseModelRegistered(event.get().getBaseModelRegistered());
        } else if (event.isPresent() && event.get().hasAdapterVersionRegistered()) {
            replicas.adapterRegistered(event.get().getAdapterVersionRegistered());
        }
    }

    @Incoming("worker-heartbeats")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES)
    public void onHeartbeat(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<WorkerEvent> event = decode(record, WorkerEvent.parser());
        if (event.isPresent() && event.get().hasWorkerHeartbeat()) {
            replicas.heartbeat(event.get().getWorkerHeartbeat());
        }
    }

    @Incoming("training-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES)
    public void onTrainingEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<TrainingEvent> event = decode(record, TrainingEvent.parser());
        if (event.isPresent()) {
            training.onTraining(event.get(), typed(record, event.get().getEventCase().name()));
        }
    }

    @Incoming("evaluation-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES)
    public void onEvaluationEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<EvaluationEvent> event = decode(record, EvaluationEvent.parser());
        if (event.isPresent()) {
            switch (event.get().getEventCase()) {
                case EVALUATION_COMPLETED -> training.onEvaluationCompleted(event.get().getEvaluationCompleted(),
                        typed(record, "EvaluationCompleted"));
                case EVALUATION_FAILED -> training.onEvaluationFailed(event.get().getEvaluationFailed(),
                        typed(record, "EvaluationFailed"));
                default -> {
                    // EvaluationStarted changes no job state
                }
            }
        }
    }

    private <T extends Message> Optional<T> decode(ConsumerRecord<String, byte[]> record, Parser<T> parser) {
        try {
            return Optional.of(parser.parseFrom(record.value() == null ? new byte[0] : record.value()));
        } catch (InvalidProtocolBufferException e) {
            deadLetters.publish(record, "Not a valid envelope for " + record.topic() + ": " + e.getMessage(), e);
            return Optional.empty();
        }
    }

    /** The payload's own type names the event (e.g. TRAINING_STARTED -> TrainingStarted), whatever the header says. */
    private static EventMetadata typed(ConsumerRecord<String, byte[]> record, String type) {
        EventMetadata metadata = EventMetadata.of(record, type);
        return new EventMetadata(metadata.eventId(), camel(type), metadata.traceparent());
    }

    private static String camel(String type) {
        if (!type.contains("_")) {
            return type;
        }
        StringBuilder name = new StringBuilder();
        for (String word : type.toLowerCase(java.util.Locale.ROOT).split("_")) {
            name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return name.toString();
    }
}
