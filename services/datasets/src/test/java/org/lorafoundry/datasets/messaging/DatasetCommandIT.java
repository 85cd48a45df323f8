package org.lorafoundry.datasets.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.datasets.DatasetsTestSupport;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetProblemCode;
import org.lorafoundry.proto.v1.DatasetRejected;
import org.lorafoundry.proto.v1.IngestDataset;
import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.KafkaTestClient;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** IngestDataset commands through a real Kafka broker into a real PostgreSQL, answered through the outbox. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class DatasetCommandIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Inject
    TokenIssuer tokens;

    @Test
    void aCommandedIngestOfAFileUnderAnImportRootIsAnnouncedOnceEvenWhenRedelivered() throws Exception {
        DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
        Path file = DatasetsTestSupport.chatFile(40, "kafka");
        try {
            String datasetId = "it-" + UUID.randomUUID();
            IngestDataset command = IngestDataset.newBuilder().setDatasetId(datasetId).setName("support-chat")
                    .setSourceUri(file.toUri().toString()).setValidationFraction(0.25).setSeed(3)
                    .setDescription("from kafka").putTags("origin", "it")
                    .setSourceSha256(sha256(Files.readAllBytes(file))).build();
            String eventId = support.sendIngest("demo", command);
            support.sendIngest("demo", command, eventId); // a redelivery: the same event id

            DatasetIngested ingested = support.events(datasetId, 1, Duration.ofSeconds(60)).get(0).getDatasetIngested();
            assertThat(ingested.getTeam()).isEqualTo("demo");
            assertThat(ingested.getName()).isEqualTo("support-chat");
            assertThat(ingested.getFormat()).isEqualTo(DatasetFormat.DATASET_FORMAT_CHAT_MESSAGES);
            assertThat(ingested.getCommandEventId()).isEqualTo(eventId);
            assertThat(ingested.getSourceUri()).isEqualTo(file.toUri().toString());
            assertThat(ingested.getTagsMap()).containsEntry("origin", "it");
            assertThat(ingested.getStatistics().getRows()).isEqualTo(40);
            assertThat(ingested.getSplitsCount()).isEqualTo(2);
            assertThat(ingested.getSplits(0).getBlob().getSha256()).hasSize(64);
            assertThat(ingested.getSplits(0).getRowCount() + ingested.getSplits(1).getRowCount()).isEqualTo(40);

            // The same content under another event id is answered with the existing version.
            String repeatId = "it-" + UUID.randomUUID();
            String repeatEvent = support.sendIngest("demo", command.toBuilder().setDatasetId(repeatId).build());
            DatasetIngested repeat = support.events(record -> datasetId.equals(record.key())
                    && repeatEvent.equals(parse(record).getDatasetIngested().getCommandEventId()), 1,
                    Duration.ofSeconds(60)).get(0).getDatasetIngested();
            assertThat(repeat.getVersion()).isEqualTo(ingested.getVersion());
            assertThat(repeat.getDatasetId()).isEqualTo(datasetId);

            assertThat(support.allEvents(datasetId, Duration.ofSeconds(3))).hasSize(2); // first + repeat, none for the redelivery
            given().auth().oauth2(alice()).when().get("/datasets/support-chat/versions/" + ingested.getVersion())
                    .then().statusCode(200).body("datasetId", equalTo(datasetId));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aRejectedFileIsAnsweredWithTheReportWhichStaysQueryable() throws Exception {
        DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
        Path file = Files.createTempFile("datasets-it-bad-", ".jsonl");
        try {
            Files.writeString(file, "{\"text\": \"fine\"}\n{\"text\": \"\"}\n{\"text\": 3}\n", StandardCharsets.UTF_8);
            String datasetId = "it-bad-" + UUID.randomUUID();
            support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(datasetId).setName("bad-text")
                    .setSourceUri(file.toUri().toString()).build());

            DatasetRejected rejected = support.events(datasetId, 1, Duration.ofSeconds(60)).get(0).getDatasetRejected();
            assertThat(rejected.getTeam()).isEqualTo("demo");
            assertThat(rejected.getProblemsList()).extracting(p -> p.getCode(), p -> p.getLine()).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(DatasetProblemCode.DATASET_PROBLEM_CODE_EMPTY_CONTENT, 2L),
                    org.assertj.core.groups.Tuple.tuple(DatasetProblemCode.DATASET_PROBLEM_CODE_WRONG_TYPE, 3L));
            assertThat(rejected.getProblemCountsList()).hasSize(2);

            given().auth().oauth2(alice()).when().get("/datasets/reports/" + datasetId).then().statusCode(200)
                    .body("outcome", equalTo("rejected")).body("errors[1].code", equalTo("WRONG_TYPE"))
                    .body("errors[1].line", equalTo(3));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aSourceOutsideTheImportRootsIsSourceUnreadable() {
        DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
        String outside = "it-outside-" + UUID.randomUUID();
        support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(outside).setName("passwords")
                .setSourceUri("file:///etc/passwd").build());
        String missing = "it-missing-" + UUID.randomUUID();
        support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(missing).setName("missing")
                .setSourceUri("s3://bucket/data.jsonl").build());

        DatasetRejected first = support.events(outside, 1, Duration.ofSeconds(60)).get(0).getDatasetRejected();
        assertThat(first.getProblems(0).getCode()).isEqualTo(DatasetProblemCode.DATASET_PROBLEM_CODE_SOURCE_UNREADABLE);
        assertThat(first.getProblems(0).getMessage()).contains("outside the import roots");
        DatasetRejected second = support.events(missing, 1, Duration.ofSeconds(60)).get(0).getDatasetRejected();
        assertThat(second.getProblems(0).getCode()).isEqualTo(DatasetProblemCode.DATASET_PROBLEM_CODE_SOURCE_UNREADABLE);
        assertThat(second.getProblems(0).getMessage()).contains("only file://");
    }

    @Test
    void anInvalidCommandIsRejectedWithEveryProblem() {
        DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
        String datasetId = "it-invalid-" + UUID.randomUUID();
        support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(datasetId).setName("No Spaces")
                .setValidationFraction(0.9).build());

        DatasetRejected rejected = support.events(datasetId, 1, Duration.ofSeconds(60)).get(0).getDatasetRejected();
        assertThat(rejected.getProblemsList()).hasSize(3).allSatisfy(problem ->
                assertThat(problem.getCode()).isEqualTo(DatasetProblemCode.DATASET_PROBLEM_CODE_INVALID_COMMAND));
        assertThat(rejected.getMessage()).contains("name 'No Spaces'").contains("source_uri").contains("0.9");
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndAnsweredAndTheNextOneStillProcessed() throws Exception {
        DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
        String badKey = "it-garbage-" + UUID.randomUUID();
        support.kafka().send(Topics.datasetCommands("demo"), badKey, new byte[] {(byte) 0xff, (byte) 0xff, 0x01},
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));
        Path file = DatasetsTestSupport.chatFile(12, "after-garbage");
        try {
            String goodId = "it-after-" + UUID.randomUUID();
            support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(goodId).setName("after-garbage")
                    .setSourceUri(file.toUri().toString()).build());

            List<ConsumerRecord<String, byte[]>> letters = new KafkaTestClient(bootstrapServers)
                    .await(Topics.DEAD_LETTERS, r -> badKey.equals(r.key()), 1, Duration.ofSeconds(30));
            assertThat(letters).hasSize(1);
            assertThat(KafkaTestClient.header(letters.get(0), DeadLetters.REASON)).startsWith("Not a foundry.v1.DatasetCommand");
            DatasetRejected rejected = support.events(badKey, 1, Duration.ofSeconds(30)).get(0).getDatasetRejected();
            assertThat(rejected.getProblems(0).getCode()).isEqualTo(DatasetProblemCode.DATASET_PROBLEM_CODE_INVALID_COMMAND);
            assertThat(support.events(goodId, 1, Duration.ofSeconds(60)).get(0).hasDatasetIngested()).isTrue();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private String alice() {
        return tokens.mint("alice", List.of("demo"), List.of(Role.MEMBER), Duration.ofMinutes(10));
    }

    private static DatasetEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return DatasetEvent.parseFrom(record.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
