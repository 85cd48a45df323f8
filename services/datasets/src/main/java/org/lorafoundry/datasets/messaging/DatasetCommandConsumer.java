package org.lorafoundry.datasets.messaging;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.smallrye.common.annotation.Blocking;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.lorafoundry.datasets.service.IngestService;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.DatasetCommand;

/**
 * Consumes every team's {@code foundry.datasets.commands.<team>} topic. The team is the topic's, never the payload's.
 *
 * <p>A record that cannot be decoded goes to the dead-letter topic with the reason, its sender gets a DatasetRejected
 * INVALID_COMMAND, and the consumer moves on. Any other failure (database or blob store down, a crash before the commit)
 * is retried with back-off on the same record; the ingest is idempotent on the record's event id, and the offset is
 * committed only after the method returns.
 */
@ApplicationScoped
public class DatasetCommandConsumer {

    private final IngestService ingest;
    private final DeadLetters deadLetters;

    DatasetCommandConsumer(IngestService ingest, Producer<String, byte[]> producer) {
        this.ingest = ingest;
        this.deadLetters = new DeadLetters(producer, IngestService.CONSUMER);
    }

    @Incoming("dataset-commands")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES,
            jitter = 200)
    public void onCommand(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<String> team = Topics.teamOf(Topics.DATASET_COMMANDS_PREFIX, record.topic());
        if (team.isEmpty()) {
            deadLetters.publish(record, "Topic " + record.topic() + " is not a team command topic "
                    + "(foundry.datasets.commands.<team>, team = a-z, 0-9, '-')", null);
            return;
        }
        EventMetadata metadata = EventMetadata.of(record, "unknown");
        DatasetCommand command;
        try {
            command = DatasetCommand.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            String reason = "Not a foundry.v1.DatasetCommand: " + e.getMessage();
            deadLetters.publish(record, reason, e);
            ingest.malformed(team.get(), record.key(), metadata, reason);
            return;
        }
        if (command.getCommandCase() == DatasetCommand.CommandCase.INGEST_DATASET) {
            ingest.ingestCommand(team.get(), command.getIngestDataset(), record.key(),
                    new EventMetadata(metadata.eventId(), "IngestDataset", metadata.traceparent()));
        } else {
            String reason = "DatasetCommand carries no command (set ingest_dataset)";
            deadLetters.publish(record, reason, null);
            ingest.malformed(team.get(), record.key(), metadata, reason);
        }
    }
}
