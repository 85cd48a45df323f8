package org.lorafoundry.registry.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.quarkus.TokenIssuer;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.AliasChanged;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.proto.v1.Visibility;
import org.lorafoundry.registry.RegistryTestSupport;
import org.lorafoundry.registry.RegistryTestSupport.Job;
import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.KafkaTestClient;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Versions registered from EvaluationCompleted on the real broker: lineage, idempotency, automatic promotion, DLQ. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class AdapterRegistrationIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    TokenIssuer tokens;
    @Inject
    BlobStore blobs;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void evaluationsRegisterNumberedVersionsWithFullLineageOnceEvenWhenRedelivered() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "reg-" + RegistryTestSupport.suffix();
        String key = team + "/sentiment";
        DirectoryRef artifact1 = RegistryTestSupport.writeAdapter(blobs, team + "-j1", 8);
        EvaluationCompleted first = RegistryTestSupport.completed(new Job(team, "sentiment", team + "-j1",
                Verdict.VERDICT_PASSED, 0.9, 8, null, Map.of("task", "sentiment"), "first try", artifact1));
        String eventId = support.send(first);

        AdapterVersionRegistered v1 = support.events(key, RegistryEvent::hasAdapterVersionRegistered, 1, WAIT).get(0)
                .getAdapterVersionRegistered();
        assertThat(v1.getTeam()).isEqualTo(team);
        assertThat(v1.getAdapterName()).isEqualTo("sentiment");
        assertThat(v1.getVersion()).isEqualTo(1);
        assertThat(v1.getLatestVersion()).isEqualTo(1);
        assertThat(v1.getJobId()).isEqualTo(team + "-j1");
        assertThat(v1.getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(v1.getVisibility()).isEqualTo(Visibility.VISIBILITY_PRIVATE);
        assertThat(v1.getDescription()).isEqualTo("first try");
        assertThat(v1.getTagsMap()).containsEntry("task", "sentiment");
        assertThat(v1.getAliasesList()).isEmpty();
        assertThat(v1.getLineage().getJobId()).isEqualTo(team + "-j1");
        assertThat(v1.getLineage().getAttemptId()).isEqualTo("attempt-1");
        assertThat(v1.getLineage().getSpec().getLora().getR()).isEqualTo(8);
        assertThat(v1.getLineage().getSpec().getHyperparameters().getLearningRate()).isEqualTo(2e-4);
        assertThat(v1.getLineage().getBaseModel().getSha256()).isEqualTo(RegistryTestSupport.BASE_MODEL_SHA);
        assertThat(v1.getLineage().getDataset().getTrain().getBlob().getSha256()).isEqualTo("cd".repeat(32));
        assertThat(v1.getLineage().getLossCurveCount()).isEqualTo(3);
        assertThat(v1.getLineage().getCandidateMetricsMap()).containsEntry("accuracy", 0.9);
        assertThat(v1.getLineage().getThresholdResults(0).getPassed()).isTrue();
        assertThat(v1.getLineage().hasEvaluatedAt()).isTrue();
        // the PEFT files were copied to the registry's location, same checksums
        assertThat(v1.getArtifact().getUri()).endsWith("/adapters/" + team + "/sentiment/1/");
        assertThat(v1.getArtifact().getManifestSha256()).isEqualTo(artifact1.getManifestSha256());
        assertThat(v1.getArtifact().getFilesList()).extracting(f -> f.getUri())
                .allMatch(uri -> uri.contains("/adapters/" + team + "/sentiment/1/"));

        // redelivery (same event id) and a second evaluation event of the same job (new id): no second version
        support.send(first, eventId);
        support.send(first);
        DirectoryRef artifact2 = RegistryTestSupport.writeAdapter(blobs, team + "-j2", 16);
        support.send(RegistryTestSupport.completed(new Job(team, "sentiment", team + "-j2", Verdict.VERDICT_FAILED, 0.6,
                16, null, Map.of("task", "sentiment"), "rank 16", artifact2)));
        AdapterVersionRegistered v2 = support.events(key, e -> e.hasAdapterVersionRegistered()
                && e.getAdapterVersionRegistered().getVersion() == 2, 1, WAIT).get(0).getAdapterVersionRegistered();
        assertThat(v2.getVerdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(v2.getLatestVersion()).isEqualTo(2);
        assertThat(support.allEvents(key, Duration.ofSeconds(3))).filteredOn(RegistryEvent::hasAdapterVersionRegistered)
                .extracting(e -> e.getAdapterVersionRegistered().getVersion()).containsExactly(1, 2);

        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/sentiment").then().statusCode(200)
                .body("latestVersion", equalTo(2)).body("versionCount", equalTo(2))
                .body("visibility", equalTo("PRIVATE")).body("versions.version", contains(2, 1))
                .body("versions.verdict", contains("FAILED", "PASSED"));
        JsonPath version = given().auth().oauth2(member).when().get("/adapters/" + team + "/sentiment/versions/v1")
                .then().statusCode(200).extract().jsonPath();
        assertThat(version.getString("version.ref")).isEqualTo(team + "/sentiment@v1");
        assertThat(version.getString("version.createdBy")).isEqualTo("job:" + team + "-j1");
        assertThat(version.getString("version.baseModel.sha256")).isEqualTo(RegistryTestSupport.BASE_MODEL_SHA);
        assertThat(version.getString("version.dataset.datasetId")).isEqualTo(team + "/support@v2");
        assertThat(version.getBoolean("version.artifact.downloadable")).isTrue();
        assertThat(version.getString("evaluationSummary")).startsWith("PASSED");
        assertThat(version.getInt("lora.r")).isEqualTo(8);
        assertThat(version.getList("lora.targetModules")).containsExactly("q_proj", "v_proj");
        assertThat(version.getString("hyperparameters.maxSteps")).isEqualTo("100");
        assertThat(version.getList("lossCurve.step")).hasSize(3);
        assertThat(version.getBoolean("thresholdResults[0].passed")).isTrue();
        assertThat(version.getDouble("candidateMetrics.accuracy")).isEqualTo(0.9);
        assertThat(version.getList("artifact.files.relativePath"))
                .containsExactly("adapter_config.json", "adapter_model.safetensors");
        assertThat(version.getString("lineage.spec.jobId")).isEqualTo(team + "-j1");

        JsonPath compare = given().auth().oauth2(member).when().get("/adapters/" + team + "/sentiment/compare?a=1&b=2")
                .then().statusCode(200).extract().jsonPath();
        assertThat(compare.getList("settings.path")).contains("lora.r", "lora.loraAlpha").doesNotContain("lora.loraDropout");
        assertThat(compare.getInt("settings.find { it.path == 'lora.r' }.a")).isEqualTo(8);
        assertThat(compare.getInt("settings.find { it.path == 'lora.r' }.b")).isEqualTo(16);
        assertThat(compare.getDouble("metrics.find { it.metric == 'accuracy' }.delta")).isCloseTo(-0.3,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(compare.getList("metrics.metric")).contains("training.train_loss");
        assertThat(compare.getList("curves.a")).hasSize(3);
        assertThat(compare.getList("curves.b")).hasSize(3);
        assertThat(compare.getString("b.verdict")).isEqualTo("FAILED");
    }

    @Test
    void promoteToAliasMovesTheAliasOnlyForAPassedVerdictAndProductionOnlyForAllowedTeams() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "promo-" + RegistryTestSupport.suffix();
        String key = team + "/qa";
        register(support, team, "qa", team + "-p1", Verdict.VERDICT_PASSED, "staging");
        AliasChanged staging = support.events(key, RegistryEvent::hasAliasChanged, 1, WAIT).get(0).getAliasChanged();
        assertThat(staging.getAlias()).isEqualTo("staging");
        assertThat(staging.hasFromVersion()).isFalse();
        assertThat(staging.getToVersion()).isEqualTo(1);
        assertThat(staging.getActor()).isEqualTo("job:" + team + "-p1");
        assertThat(staging.getComment()).contains("promote_to_alias");
        assertThat(staging.getOverridden()).isFalse();
        assertThat(staging.getToVersionVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(staging.getAliasesList()).singleElement().satisfies(target -> {
            assertThat(target.getAlias()).isEqualTo("staging");
            assertThat(target.getVersion()).isEqualTo(1);
            assertThat(target.getArtifact().getUri()).endsWith("/adapters/" + team + "/qa/1/");
            assertThat(target.getBaseModelSha256()).isEqualTo(RegistryTestSupport.BASE_MODEL_SHA);
        });

        register(support, team, "qa", team + "-p2", Verdict.VERDICT_FAILED, "staging");
        register(support, team, "qa", team + "-p3", Verdict.VERDICT_PASSED, "production");
        AdapterVersionRegistered v3 = support.events(key, e -> e.hasAdapterVersionRegistered()
                && e.getAdapterVersionRegistered().getVersion() == 3, 1, WAIT).get(0).getAdapterVersionRegistered();
        assertThat(v3.getAliasesList()).extracting(a -> a.getAlias() + "=" + a.getVersion()).containsExactly("staging=1");
        assertThat(support.allEvents(key, Duration.ofSeconds(3))).filteredOn(RegistryEvent::hasAliasChanged).hasSize(1);

        String member = tokens.mint("ann", List.of(team), List.of(Role.MEMBER), Duration.ofMinutes(10));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/qa/versions/2").then().statusCode(200)
                .body("promotion.alias", equalTo("staging")).body("promotion.outcome", equalTo("NOT_PROMOTED"))
                .body("promotion.code", equalTo("VERDICT_NOT_PASSED"));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/qa/versions/3").then().statusCode(200)
                .body("promotion.outcome", equalTo("NOT_PROMOTED"))
                .body("promotion.code", equalTo("PRODUCTION_PROMOTION_NOT_ALLOWED"));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/qa/versions/1").then().statusCode(200)
                .body("promotion.outcome", equalTo("PROMOTED")).body("version.aliases", contains("staging"));
        given().auth().oauth2(member).when().get("/adapters/" + team + "/qa/audit").then().statusCode(200)
                .body("action", contains("ALIAS_SET")).body("[0].actor", equalTo("job:" + team + "-p1"));

        // the configured team (application.properties, %test) may promote production automatically
        register(support, "trusted", "qa", "trusted-" + RegistryTestSupport.suffix(), Verdict.VERDICT_PASSED,
                "production");
        AliasChanged production = support.events("trusted/qa", RegistryEvent::hasAliasChanged, 1, WAIT).get(0)
                .getAliasChanged();
        assertThat(production.getAlias()).isEqualTo("production");
    }

    @Test
    void anEventThatCanNeverBeRegisteredGoesToTheDeadLetterTopicAndTheConsumerMovesOn() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "dlq-" + RegistryTestSupport.suffix();
        EvaluationCompleted noName = RegistryTestSupport.completed(new Job(team, "", team + "-bad", Verdict.VERDICT_PASSED,
                0.9, 8, null, Map.of(), "", RegistryTestSupport.writeAdapter(blobs, team + "-bad", 8)));
        support.send(noName);
        support.kafka().send(Topics.EVALUATION_EVENTS, team + "-garbage", "not protobuf \u00ff".getBytes(StandardCharsets.UTF_8),
                Map.of());
        var letters = support.kafka().await(Topics.DEAD_LETTERS, record -> record.key() != null
                && record.key().startsWith(team), 2, WAIT);
        assertThat(letters).hasSize(2);
        assertThat(letters).extracting(record -> KafkaTestClient.header(record, DeadLetters.REASON))
                .anySatisfy(reason -> assertThat(reason).contains("adapter_name"))
                .anySatisfy(reason -> assertThat(reason).contains("Not a foundry.v1.EvaluationEvent"));
        assertThat(letters).extracting(record -> KafkaTestClient.header(record, DeadLetters.CONSUMER))
                .containsOnly("registry.evaluation-events");

        register(support, team, "after", team + "-ok", Verdict.VERDICT_PASSED, null);
        support.events(team + "/after", RegistryEvent::hasAdapterVersionRegistered, 1, WAIT);
    }

    @Test
    void aCorruptArtifactStillRegistersTheVersionButNeitherDownloadNorAliasUseIt() throws Exception {
        RegistryTestSupport support = new RegistryTestSupport(bootstrapServers);
        String team = "corrupt-" + RegistryTestSupport.suffix();
        DirectoryRef artifact = RegistryTestSupport.writeAdapter(blobs, team + "-j", 8);
        DirectoryRef lying = artifact.toBuilder().setFiles(1, artifact.getFiles(1).toBuilder().setSha256("0".repeat(64)))
                .build();
        support.send(RegistryTestSupport.completed(new Job(team, "broken", team + "-j", Verdict.VERDICT_PASSED, 0.95, 8,
                "staging", Map.of(), "", lying)));
        AdapterVersionRegistered v1 = support.events(team + "/broken", RegistryEvent::hasAdapterVersionRegistered, 1,
                WAIT).get(0).getAdapterVersionRegistered();
        assertThat(v1.getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);

        String maintainer = tokens.mint("mia", List.of(team), List.of(Role.MAINTAINER), Duration.ofMinutes(10));
        given().auth().oauth2(maintainer).when().get("/adapters/" + team + "/broken/versions/1").then().statusCode(200)
                .body("version.artifact.downloadable", equalTo(false))
                .body("version.artifact.problem", org.hamcrest.Matchers.containsString("checksum mismatch"))
                .body("promotion.code", equalTo("ARTIFACT_UNAVAILABLE"));
        given().auth().oauth2(maintainer).when().get("/adapters/" + team + "/broken/versions/1/download").then()
                .statusCode(409).body("code", equalTo("ARTIFACT_UNAVAILABLE"));
        given().auth().oauth2(maintainer).contentType("application/json").body("{\"version\": 1}").when()
                .put("/adapters/" + team + "/broken/aliases/staging").then().statusCode(409)
                .body("code", equalTo("ARTIFACT_UNAVAILABLE"));
    }

    private void register(RegistryTestSupport support, String team, String adapter, String jobId, Verdict verdict,
            String promote) throws Exception {
        support.send(RegistryTestSupport.completed(new Job(team, adapter, jobId, verdict,
                verdict == Verdict.VERDICT_PASSED ? 0.9 : 0.5, 8, promote, Map.of(), "", RegistryTestSupport
                        .writeAdapter(blobs, jobId, 8))));
        support.events(team + "/" + adapter, e -> e.hasAdapterVersionRegistered()
                && e.getAdapterVersionRegistered().getJobId().equals(jobId), 1, WAIT);
    }
}
