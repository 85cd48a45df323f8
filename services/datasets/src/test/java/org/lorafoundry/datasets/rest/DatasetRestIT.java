package org.lorafoundry.datasets.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.datasets.DatasetsTestSupport;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetProblemCode;
import org.lorafoundry.proto.v1.DatasetRejected;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The REST API end to end: real HTTP, real Kafka, real PostgreSQL, the real blob store. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class DatasetRestIT {

    @Inject
    TokenIssuer tokens;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void anUploadIsStoredAnnouncedAndDownloadableAndAnIdenticalOneReturnsTheSameVersion() throws Exception {
        String name = "qa-" + suffix();
        String body = DatasetsTestSupport.promptCompletion(50, name)
                + "{\"prompt\": \"" + name + " question 3?\", \"completion\": \" answer 3\", \"source\": \"dup\"}\n";

        Response created = upload(alice(), name, body, "validationFraction=0.2&seed=11&description=first");
        created.then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/datasets/" + name + "/versions/1?team=demo"));
        JsonPath json = created.jsonPath();
        assertThat(json.getString("outcome")).isEqualTo("created");
        assertThat(json.getString("dataset.ref")).isEqualTo("demo/" + name + "@v1");
        assertThat(json.getString("dataset.format")).isEqualTo("prompt_completion");
        assertThat(json.getLong("dataset.statistics.rows")).isEqualTo(50);
        assertThat(json.getLong("dataset.statistics.rowsRead")).isEqualTo(51);
        assertThat(json.getLong("dataset.statistics.duplicatesRemoved")).isEqualTo(1);
        assertThat(json.getList("report.warnings.code", String.class)).containsExactly("DUPLICATE_ROWS");
        assertThat(json.getLong("report.warnings[0].line")).isEqualTo(51);
        String datasetId = json.getString("dataset.datasetId");

        DatasetIngested ingested = new DatasetsTestSupport(bootstrapServers)
                .events(datasetId, 1, Duration.ofSeconds(30)).get(0).getDatasetIngested();
        assertThat(ingested.getTeam()).isEqualTo("demo");
        assertThat(ingested.getName()).isEqualTo(name);
        assertThat(ingested.getVersion()).isEqualTo(1);
        assertThat(ingested.getFormat()).isEqualTo(DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION);
        assertThat(ingested.getDescription()).isEqualTo("first");
        assertThat(ingested.getStatistics().getRows()).isEqualTo(50);
        assertThat(ingested.getSourceSha256()).isEqualTo(sha256(body.getBytes(StandardCharsets.UTF_8)));
        assertThat(ingested.getSplitsList()).extracting(DatasetSplit::getName).containsExactly("train", "validation");
        assertThat(ingested.getSplitsList().stream().mapToLong(DatasetSplit::getRowCount).sum()).isEqualTo(50);
        DatasetSplit train = ingested.getSplits(0);
        assertThat(train.getBlob().getUri()).startsWith("file:/").contains("/datasets/demo/" + name + "/sha-")
                .endsWith("/train.jsonl");

        Response download = given().auth().oauth2(alice()).when()
                .get("/datasets/" + name + "/versions/v1/download?split=train");
        download.then().statusCode(200).header("X-Checksum-Sha256", train.getBlob().getSha256());
        byte[] bytes = download.asByteArray();
        assertThat(sha256(bytes)).isEqualTo(train.getBlob().getSha256());
        List<String> rows = List.of(new String(bytes, StandardCharsets.UTF_8).split("\n"));
        assertThat(rows).hasSize((int) train.getRowCount()).allMatch(row -> row.startsWith("{\"prompt\":\""));
        assertThat(rows).noneMatch(row -> row.contains("source"));

        Response again = upload(alice(), name, body, "validationFraction=0.2&seed=11&description=again");
        again.then().statusCode(200);
        assertThat(again.jsonPath().getString("outcome")).isEqualTo("existing");
        assertThat(again.jsonPath().getString("dataset.ref")).isEqualTo("demo/" + name + "@v1");
        assertThat(again.jsonPath().getString("dataset.datasetId")).isEqualTo(datasetId);

        Response second = upload(alice(), name, DatasetsTestSupport.promptCompletion(30, name + "-b"), "");
        second.then().statusCode(201);
        assertThat(second.jsonPath().getString("dataset.ref")).isEqualTo("demo/" + name + "@v2");

        given().auth().oauth2(alice()).when().get("/datasets/" + name).then().statusCode(200)
                .body("latest.version", equalTo(2)).body("versionCount", equalTo(2))
                .body("versions.version", org.hamcrest.Matchers.contains(2, 1));
        given().auth().oauth2(alice()).when().get("/datasets/" + name + "/versions/1").then().statusCode(200)
                .body("splits.sha256", hasItem(train.getBlob().getSha256()));
        given().auth().oauth2(alice()).when().get("/datasets/" + name + "/versions?page=0&size=1").then()
                .statusCode(200).body("items.size()", equalTo(1)).body("total", equalTo(2)).body("totalPages", equalTo(2))
                .body("items[0].ref", equalTo("demo/" + name + "@v2"));
        given().auth().oauth2(alice()).when().get("/datasets/" + name + "/versions/v1/report").then().statusCode(200)
                .body("outcome", equalTo("created")).body("warningCounts.DUPLICATE_ROWS", equalTo(1));
        given().auth().oauth2(alice()).when().get("/datasets?size=100").then().statusCode(200)
                .body("items.name", hasItem(name));
        given().when().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("foundry_datasets_ingests_total{"))
                .body(org.hamcrest.Matchers.containsString("foundry_datasets_rows_processed_total{"));
        given().when().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/datasets/{name}'.post.responses.'422'.description", org.hamcrest.Matchers.notNullValue())
                .body("paths.'/datasets/{name}/versions/{version}/download'.get", org.hamcrest.Matchers.notNullValue())
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
    }

    @Test
    void anotherTeamsDatasetIsNotFoundAndUploadingIntoItIsForbidden() {
        String name = "private-" + suffix();
        upload(alice(), name, DatasetsTestSupport.promptCompletion(20, name), "").then().statusCode(201);
        String bob = tokens.mint("bob", List.of("other"), List.of(Role.MEMBER), Duration.ofMinutes(10));

        given().auth().oauth2(bob).when().get("/datasets/" + name).then().statusCode(404).body("code", equalTo("NOT_FOUND"));
        given().auth().oauth2(bob).when().get("/datasets/" + name + "?team=demo").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/datasets/" + name + "/versions/1/download?team=demo").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/datasets?team=demo").then().statusCode(404);
        given().auth().oauth2(bob).when().get("/datasets").then().statusCode(200).body("items.name",
                org.hamcrest.Matchers.not(hasItem(name)));
        upload(bob, name + "-x", DatasetsTestSupport.promptCompletion(20, name), "team=demo").then().statusCode(403)
                .body("code", equalTo("FORBIDDEN"));
        String admin = tokens.mint("root", List.of(), List.of(Role.ADMIN), Duration.ofMinutes(10));
        given().auth().oauth2(admin).when().get("/datasets/" + name + "?team=demo").then().statusCode(200);
    }

    @Test
    void theTeamMustBeKnownFromTheQueryOrTheTokenAndATokenIsRequired() {
        String both = tokens.mint("carol", List.of("demo", "other"), List.of(Role.MEMBER), Duration.ofMinutes(10));
        upload(both, "x-" + suffix(), DatasetsTestSupport.promptCompletion(20, "x"), "").then().statusCode(400)
                .body("code", equalTo("TEAM_REQUIRED"));
        given().auth().oauth2(both).when().get("/datasets/anything").then().statusCode(400)
                .body("code", equalTo("TEAM_REQUIRED"));
        given().when().get("/datasets").then().statusCode(401);
        upload(alice(), "Bad_Name", DatasetsTestSupport.promptCompletion(20, "x"), "").then().statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
        upload(alice(), "bad_" + suffix(), DatasetsTestSupport.promptCompletion(20, "x"), "validationFraction=0.9")
                .then().statusCode(400).body("code", equalTo("INVALID_REQUEST"));
    }

    @Test
    void aRejectedUploadAnswers422WithTheReportPublishesDatasetRejectedAndKeepsTheReport() {
        String name = "broken-" + suffix();
        String body = DatasetsTestSupport.promptCompletion(15, name) + "{\"prompt\": \"no completion\"}\nnot json\n";

        Response rejected = upload(alice(), name, body, "");
        rejected.then().statusCode(422).body("code", equalTo("DATASET_REJECTED"));
        String ingestId = rejected.jsonPath().getString("ingestId");
        assertThat(rejected.jsonPath().getList("report.errors.code", String.class))
                .containsExactly("MISSING_FIELD", "NOT_JSON");
        assertThat(rejected.jsonPath().getList("report.errors.line", Long.class)).containsExactly(16L, 17L);
        String datasetId = rejected.jsonPath().getString("report.datasetId");

        DatasetRejected event = new DatasetsTestSupport(bootstrapServers).events(datasetId, 1, Duration.ofSeconds(30))
                .get(0).getDatasetRejected();
        assertThat(event.getName()).isEqualTo(name);
        assertThat(event.getProblemsList()).extracting(p -> p.getCode()).containsExactly(
                DatasetProblemCode.DATASET_PROBLEM_CODE_MISSING_FIELD, DatasetProblemCode.DATASET_PROBLEM_CODE_NOT_JSON);
        assertThat(event.getProblemsList()).extracting(p -> p.getLine()).containsExactly(16L, 17L);
        assertThat(event.getRowsRead()).isEqualTo(17);

        given().auth().oauth2(alice()).when().get("/datasets/reports/" + ingestId).then().statusCode(200)
                .body("outcome", equalTo("rejected")).body("errors[0].code", equalTo("MISSING_FIELD"))
                .body("errors[0].field", equalTo("completion")).body("errorCounts.NOT_JSON", equalTo(1));
        given().auth().oauth2(tokens.mint("bob", List.of("other"), List.of(Role.MEMBER), Duration.ofMinutes(10)))
                .when().get("/datasets/reports/" + ingestId).then().statusCode(404);
        given().auth().oauth2(alice()).when().get("/datasets/" + name).then().statusCode(404);
    }

    @Test
    void aMultipartUploadWithAValidationFileStoresBothSplits() {
        String name = "chat-" + suffix();
        StringBuilder train = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            train.append("{\"messages\": [{\"role\": \"user\", \"content\": \"hi ").append(i)
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"hello\", \"weight\": 1}], \"label\": \"")
                    .append(i % 2 == 0 ? "even" : "odd").append("\"}\n");
        }
        String validation = "{\"messages\": [{\"role\": \"user\", \"content\": \"bye\"}, {\"role\": \"assistant\", "
                + "\"content\": \"see you\"}], \"label\": \"odd\"}\n";

        Response response = given().auth().oauth2(alice())
                .multiPart("file", "train.jsonl", train.toString().getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .multiPart("validation", "held-out.jsonl", validation.getBytes(StandardCharsets.UTF_8), "application/jsonl")
                .when().post("/datasets/" + name);

        response.then().statusCode(201);
        JsonPath json = response.jsonPath();
        assertThat(json.getString("dataset.format")).isEqualTo("chat_messages");
        assertThat(json.getBoolean("dataset.hasLabels")).isTrue();
        assertThat(json.getList("dataset.labelValues", String.class)).containsExactly("even", "odd");
        assertThat(json.getList("dataset.splits.name", String.class)).containsExactly("train", "validation");
        assertThat(json.getList("dataset.splits.rows", Long.class)).containsExactly(20L, 1L);
        assertThat(json.getString("dataset.sourceUri")).isEqualTo("upload:train.jsonl");
        assertThat(json.getString("dataset.validationSourceUri")).isEqualTo("upload:held-out.jsonl");
        given().auth().oauth2(alice()).when().get("/datasets/" + name + "/versions/1/download?split=validation")
                .then().statusCode(200).body(equalTo("{\"messages\":[{\"role\":\"user\",\"content\":\"bye\"},"
                        + "{\"role\":\"assistant\",\"content\":\"see you\"}],\"label\":\"odd\"}\n"));
    }

    private Response upload(String token, String name, String body, String query) {
        return given().auth().oauth2(token).contentType("application/x-ndjson")
                .body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/datasets/" + name + (query.isEmpty() ? "" : "?" + query));
    }

    private String alice() {
        return tokens.mint("alice", Set.of("demo"), Set.of(Role.MEMBER), Duration.ofMinutes(10));
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
