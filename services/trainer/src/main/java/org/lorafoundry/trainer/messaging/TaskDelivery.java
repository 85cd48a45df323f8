package org.lorafoundry.trainer.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lorafoundry.platform.messaging.EventMetadata;

/** One delivery of a record of {@code foundry.training.tasks} to this worker. */
public record TaskDelivery(ConsumerRecord<String, byte[]> record) {

    public String key() {
        return record.key();
    }

    public byte[] value() {
        return record.value();
    }

    /** 1 for the first delivery; higher after workers died holding it (or released it). */
    public int deliveryCount() {
        return record.deliveryCount().orElse((short) 1);
    }

    public EventMetadata metadata() {
        return EventMetadata.of(record, "TrainingTask");
    }

    public String coordinates() {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }
}
