package org.lorafoundry.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.DatasetCommand;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.IngestDataset;
import org.lorafoundry.testkit.KafkaTestClient;

/** Helpers of the datasets ITs: commands, events, generated JSONL. */
public final class DatasetsTestSupport {

    private final KafkaTestClient kafka;

    public DatasetsTestSupport(String bootstrapServers) {
        this.kafka = new KafkaTestClient(bootstrapServers);
    }

    /** Sends an IngestDataset to the team's command topic, keyed by its dataset id; returns the event id. */
    public String sendIngest(String team, IngestDataset ingest) {
        String eventId = UUID.randomUUID().toString();
        sendIngest(team, ingest, eventId);
        return eventId;
    }

    public void sendIngest(String team, IngestDataset ingest, String eventId) {
        kafka.send(Topics.datasetCommands(team), ingest.getDatasetId(),
                DatasetCommand.newBuilder().setIngestDataset(ingest).build().toByteArray(),
                Map.of(EventHeaders.EVENT_ID, eventId, EventHeaders.EVENT_TYPE, "IngestDataset"));
    }

    public KafkaTestClient kafka() {
        return kafka;
    }

    /** Waits for {@code count} events on foundry.datasets.events with this key. */
    public List<DatasetEvent> events(String key, int count, Duration timeout) {
        return events(record -> key.equals(record.key()), count, timeout);
    }

    public List<DatasetEvent> events(Predicate<ConsumerRecord<String, byte[]>> filter, int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = kafka.await(Topics.DATASET_EVENTS, filter, count, timeout);
        assertThat(records).as("dataset events").hasSizeGreaterThanOrEqualTo(count);
        return parse(records);
    }

    /** Every event with this key that arrives within {@code settle}. */
    public List<DatasetEvent> allEvents(String key, Duration settle) {
        return parse(kafka.readAll(Topics.DATASET_EVENTS, record -> key.equals(record.key()), settle));
    }

    private static List<DatasetEvent> parse(List<ConsumerRecord<String, byte[]>> records) {
        List<DatasetEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(DatasetEvent.parseFrom(record.value()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return events;
    }

    /** {@code rows} distinct prompt/completion rows. */
    public static String promptCompletion(int rows, String tag) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            body.append("{\"prompt\": \"").append(tag).append(" question ").append(i)
                    .append("?\", \"completion\": \" answer ").append(i).append("\"}\n");
        }
        return body.toString();
    }

    /** Writes {@code rows} distinct chat rows to a file in java.io.tmpdir (an import root). */
    public static Path chatFile(int rows, String tag) throws IOException {
        Path file = Files.createTempFile("datasets-it-" + tag + "-", ".jsonl");
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows; i++) {
                out.write("{\"messages\": [{\"role\": \"system\", \"content\": \"Answer briefly.\"}, {\"role\": \"user\", "
                        + "\"content\": \"" + tag + " question " + i + "\"}, {\"role\": \"assistant\", \"content\": \"answer "
                        + i + "\"}]}\n");
            }
        }
        return file;
    }
}
