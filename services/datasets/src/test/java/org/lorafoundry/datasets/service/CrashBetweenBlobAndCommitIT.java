package org.lorafoundry.datasets.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.datasets.DatasetsTestSupport;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.IngestDataset;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * A crash after the blobs are written and before the database commit (simulated by the service's fault-injection hook,
 * which throws inside the committing transaction) leaves no visible dataset, version, report or event — only
 * unreferenced content-addressed blobs — and a retry completes under the same blob names.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class CrashBetweenBlobAndCommitIT {

    @Inject
    IngestService service;

    @Inject
    TokenIssuer tokens;

    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "foundry.blob.root")
    Path blobRoot;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @AfterEach
    void healService() {
        service.beforeCommit(null);
    }

    @Test
    void aCrashedUploadLeavesNoVisibleDatasetAndItsRetryCompletes() throws Exception {
        String name = "crash-" + UUID.randomUUID().toString().substring(0, 8);
        String body = DatasetsTestSupport.promptCompletion(30, name);
        AtomicInteger calls = new AtomicInteger();
        service.beforeCommit(ingestId -> {
            calls.incrementAndGet();
            throw new IllegalStateException("simulated crash between blob write and commit");
        });

        upload(name, body).then().statusCode(500).body("code", equalTo("INTERNAL"));

        assertThat(calls).hasValue(1);
        List<Path> leftovers = blobs(name);
        assertThat(leftovers).as("the blobs were written before the crash").isNotEmpty()
                .allMatch(path -> path.toString().contains("/sha-"));
        given().auth().oauth2(alice()).when().get("/datasets/" + name).then().statusCode(404);
        given().auth().oauth2(alice()).when().get("/datasets?size=100").then().statusCode(200)
                .body("items.name", not(hasItem(name)));
        assertThat(rows("select count(*) from datasets where name = ?", name)).isZero();
        assertThat(rows("select count(*) from dataset_versions where name = ?", name)).isZero();
        assertThat(rows("select count(*) from ingests where name = ?", name)).isZero();
        assertThat(rows("select count(*) from outbox where position(convert_to(?, 'UTF8') in payload) > 0", name)).isZero();

        service.beforeCommit(null);
        Response retry = upload(name, body);

        retry.then().statusCode(201).body("dataset.ref", equalTo("demo/" + name + "@v1"));
        assertThat(blobs(name)).containsExactlyInAnyOrderElementsOf(leftovers);
        assertThat(retry.jsonPath().getList("dataset.splits.uri", String.class))
                .allMatch(uri -> leftovers.contains(Path.of(java.net.URI.create(uri))));
        given().auth().oauth2(alice()).when().get("/datasets/" + name + "/versions/1/download?split=train")
                .then().statusCode(200);
    }

    @Test
    void aCrashedCommandedIngestIsRetriedAndAnnouncedOnce() throws Exception {
        DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
        Path file = DatasetsTestSupport.chatFile(25, "crash-kafka");
        AtomicInteger calls = new AtomicInteger();
        service.beforeCommit(ingestId -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("simulated crash between blob write and commit");
            }
        });
        try {
            String datasetId = "it-crash-" + UUID.randomUUID();
            support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(datasetId).setName("crash-kafka")
                    .setSourceUri(file.toUri().toString()).build());

            List<DatasetEvent> events = support.events(datasetId, 1, Duration.ofSeconds(60));
            assertThat(events.get(0).hasDatasetIngested()).isTrue();
            assertThat(calls).hasValue(2); // the crash, then the retry of the same record
            assertThat(support.allEvents(datasetId, Duration.ofSeconds(3))).hasSize(1);
            assertThat(rows("select count(*) from dataset_versions where dataset_id = ?", datasetId)).isEqualTo(1);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Response upload(String name, String body) {
        return given().auth().oauth2(alice()).contentType("application/jsonl")
                .body(body.getBytes(StandardCharsets.UTF_8)).when().post("/datasets/" + name);
    }

    private List<Path> blobs(String name) throws IOException {
        Path dir = blobRoot.resolve("datasets/demo/" + name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(CrashBetweenBlobAndCommitIT::real).toList();
        }
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private long rows(String sql, String parameter) throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, parameter);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private String alice() {
        return tokens.mint("alice", List.of("demo"), List.of(Role.MEMBER), Duration.ofMinutes(10));
    }
}
