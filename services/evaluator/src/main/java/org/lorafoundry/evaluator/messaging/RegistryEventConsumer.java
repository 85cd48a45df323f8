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
import org.lorafoundry.evaluator.service.AliasReplica;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.RegistryEvent;

/**
 * Consumes {@code foundry.registry.events} (compacted) to keep the replica of every adapter's alias table: which
 * version is "production", where its files are. AdapterVersionRegistered and AliasChanged both carry the complete
 * table; BaseModelRegistered is not needed here (a job's task carries its base model).
 */
@ApplicationScoped
public class RegistryEventConsumer {

    private final AliasReplica replica;
    private final DeadLetters deadLetters;

    RegistryEventConsumer(AliasReplica replica, Producer<String, byte[]> producer) {
        this.replica = replica;
        this.deadLetters = new DeadLetters(producer, AliasReplica.CONSUMER);
    }

    @Incoming("registry-events")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES,
            jitter = 200)
    public void onEvent(ConsumerRecord<String, byte[]> record) throws SQLException {
        RegistryEvent event;
        try {
            event = RegistryEvent.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            deadLetters.publish(record, "Not a foundry.v1.RegistryEvent: " + e.getMessage(), e);
            return;
        }
        EventMetadata metadata = EventMetadata.of(record, event.getEventCase().name());
        switch (event.getEventCase()) {
            case ADAPTER_VERSION_REGISTERED -> {
                var registered = event.getAdapterVersionRegistered();
                replica.replace(metadata, registered.getTeam(), registered.getAdapterName(), registered.getAliasesList());
            }
            case ALIAS_CHANGED -> {
                var changed = event.getAliasChanged();
                replica.replace(metadata, changed.getTeam(), changed.getAdapterName(), changed.getAliasesList());
            }
            default -> {
                // base models and newer event types: nothing to keep
            }
        }
    }
}
