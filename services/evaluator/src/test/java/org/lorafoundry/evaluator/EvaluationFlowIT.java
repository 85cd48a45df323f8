package org.lorafoundry.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.model.BaselineModel;
import org.lorafoundry.evaluator.model.EvaluationInputs;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.BaselineMode;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.EvaluationFailed;
import org.lorafoundry.proto.v1.EvaluationStarted;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.KafkaTestClient;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * TrainingSucceeded in, EvaluationStarted then EvaluationCompleted / EvaluationFailed out, on the real broker and
 * database, with model, adapter and data files really in the blob store. Only the model math is scripted
 * ({@link ScriptedModelEvaluator}).
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class EvaluationFlowIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(3);

    /** exact_match >= 0.5 and at most 0.0625 below the baseline; perplexity at most 10% above the baseline. */
    static final GatePolicy POLICY = GatePolicy.newBuilder()
            .addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match")
                    .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.5))
                    .setChangeThreshold(ChangeThreshold.newBuilder()
                            .setDirection(MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER).setAbsoluteSlack(0.0625)))
            .addThresholds(MetricThreshold.newBuilder().setMetricName("perplexity")
                    .setChangeThreshold(ChangeThreshold.newBuilder()
                            .setDirection(MetricDirection.METRIC_DIRECTION_LOWER_IS_BETTER).setRelativeSlack(0.1)))
            .build();
    static final Map<String, Double> BASE_METRICS = Map.of("exact_match", 0.125, "perplexity", 8.0,
            "validation_loss", 2.0, "reference_perplexity", 4.0);
    static final Map<String, Double> GOOD_ADAPTER = Map.of("exact_match", 0.875, "perplexity", 4.25,
            "validation_loss", 1.5, "reference_perplexity", 5.0);

    @Inject
    BlobStore blobs;
    @Inject
    ScriptedModelEvaluator scripted;
    @Inject
    DataSource dataSource;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    EvaluatorTestSupport support;
    String team;
    ResolvedBaseModel base;
    ResolvedDataset dates;

    @BeforeEach
    void fixtures() throws Exception {
        support = new EvaluatorTestSupport(blobs, bootstrapServers);
        team = "ev-" + EvaluatorTestSupport.suffix();
        base = support.baseModel("tiny-" + team, BASE_METRICS);
        dates = support.dataset(team, "dates", EvaluatorTestSupport.DATE_ROWS);
    }

    @Test
    void aGoodAdapterPassesAgainstTheBaseModelWithAFullReportAndIsEvaluatedOnceWhenRedelivered() throws Exception {
        String job = team + "-good";
        TrainingSucceeded training = training(job, "dates", GOOD_ADAPTER, POLICY);
        String eventId = support.send(training);

        List<EvaluationEvent> events = support.events(job, 2, WAIT);
        EvaluationStarted started = events.get(0).getEvaluationStarted();
        assertThat(started.getJobId()).isEqualTo(job);
        assertThat(started.getTeam()).isEqualTo(team);
        assertThat(started.getAdapterName()).isEqualTo("dates");
        assertThat(started.getAttemptId()).isEqualTo(training.getAttemptId());
        assertThat(started.getBaseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_BASE_MODEL);
        assertThat(started.getBaselineDescription()).isEqualTo("base model " + base.getName());

        EvaluationCompleted completed = events.get(1).getEvaluationCompleted();
        assertThat(completed.getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(completed.getSummary()).isEqualTo("PASSED: 3 of 3 thresholds passed");
        assertThat(completed.getCandidateMetricsMap()).containsEntry("exact_match", 0.875).containsEntry("perplexity", 4.25)
                .containsEntry("validation_loss", 1.5).containsEntry("reference_perplexity", 5.0)
                .containsEntry("reference_perplexity_base", 4.0).containsEntry("forgetting", 0.25)
                .containsKeys("eval_seconds", "eval_tokens");
        assertThat(completed.getCandidateMetricsMap().get("eval_tokens")).isPositive();
        assertThat(completed.getBaselineMetricsMap()).containsEntry("exact_match", 0.125).containsEntry("perplexity", 8.0)
                .containsEntry("forgetting", 0.0).doesNotContainKey("eval_seconds");
        assertThat(completed.getThresholdResultsList()).extracting(ThresholdResult::getMetricName,
                ThresholdResult::getKind, ThresholdResult::getPassed).containsExactly(
                org.assertj.core.groups.Tuple.tuple("exact_match", ThresholdKind.THRESHOLD_KIND_VALUE, true),
                org.assertj.core.groups.Tuple.tuple("exact_match", ThresholdKind.THRESHOLD_KIND_CHANGE, true),
                org.assertj.core.groups.Tuple.tuple("perplexity", ThresholdKind.THRESHOLD_KIND_CHANGE, true));
        assertThat(completed.getThresholdResults(1).getBaselineValue()).isEqualTo(0.125);
        assertThat(completed.getThresholdResults(1).getAbsoluteChange()).isEqualTo(0.75);
        assertThat(completed.getBaseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_BASE_MODEL);
        assertThat(completed.getTraining()).isEqualTo(training);
        assertThat(completed.getAttemptId()).isEqualTo(training.getAttemptId());
        assertThat(completed.getExamplesEvaluated()).isEqualTo(6);
        assertThat(completed.getReferenceExamplesEvaluated()).isEqualTo(60); // the shipped default reference text
        assertThat(completed.hasDuration()).isTrue();

        // what reached the model side
        EvaluationInputs inputs = scripted.callsFor(job).get(0);
        assertThat(inputs.metrics()).contains("exact_match", "perplexity", "reference_perplexity",
                "reference_perplexity_base");
        assertThat(inputs.baseline()).isInstanceOf(BaselineModel.BaseModel.class);
        assertThat(inputs.referenceData().description()).contains("platform default reference text");
        assertThat(inputs.evaluationData().format()).isEqualTo(DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION);
        assertThat(inputs.evaluationData().holdOutFraction()).isEmpty();
        assertThat(inputs.seed()).isEqualTo(7);

        // the report, checksummed, in JSON and HTML
        BlobRef report = completed.getReport();
        assertThat(report.getUri()).endsWith("/evaluations/" + job + "/" + training.getAttemptId() + "/report.json");
        assertThat(report.getMediaType()).isEqualTo("application/json");
        JsonNode json = new ObjectMapper().readTree(support.read(report));
        assertThat(json.path("evaluation").path("verdict").asText()).isEqualTo("VERDICT_PASSED");
        assertThat(json.path("evaluation").path("thresholdResults")).hasSize(3);
        assertThat(json.path("gatePolicySource").asText()).isEqualTo("the job's gate_policy");
        assertThat(json.path("examples")).hasSize(3);
        assertThat(json.path("examples").get(0).path("prompt").asText()).isEqualTo("Date 1965-05-10 in words:");
        assertThat(json.path("examples").get(0).path("adapterOutput").asText()).isEqualTo(" May 10, 1965");
        JsonNode page = json.path("htmlReport");
        assertThat(page.path("uri").asText()).endsWith("/evaluations/" + job + "/" + training.getAttemptId()
                + "/report.html");
        String html = new String(support.read(BlobRef.newBuilder().setUri(page.path("uri").asText())
                .setSha256(page.path("sha256").asText()).setSizeBytes(page.path("sizeBytes").asLong()).build()),
                StandardCharsets.UTF_8);
        assertThat(html).contains("<span class=\"verdict passed\">PASSED</span>").contains("Date 1965-05-10 in words:")
                .contains("base model " + base.getName());
        assertThat(row(job)).containsEntry("state", "COMPLETED").containsEntry("verdict", "PASSED")
                .containsEntry("runs", "1").containsEntry("report_sha256", report.getSha256());

        // the same record again, and the same attempt under a new event id: nothing is evaluated twice
        support.send(training, eventId);
        support.send(training);
        List<EvaluationEvent> all = support.allEvents(job, SETTLE);
        assertThat(all).extracting(EvaluationEvent::getEventCase).containsExactly(
                EvaluationEvent.EventCase.EVALUATION_STARTED, EvaluationEvent.EventCase.EVALUATION_COMPLETED);
        assertThat(scripted.callsFor(job)).hasSize(1);
    }

    @Test
    void aWeakAdapterFailsTheGateAndTheVerdictNamesTheThreshold() throws Exception {
        String job = team + "-weak";
        support.send(training(job, "dates", Map.of("exact_match", 0.25, "perplexity", 4.25, "reference_perplexity", 5.0),
                POLICY));
        EvaluationCompleted completed = completed(job);
        assertThat(completed.getVerdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(completed.getSummary()).isEqualTo("FAILED: 1 of 3 thresholds failed (exact_match)");
        ThresholdResult failed = completed.getThresholdResults(0);
        assertThat(failed.getPassed()).isFalse();
        assertThat(failed.getMessage()).isEqualTo("exact_match 0.25 < 0.5: failed");
        assertThat(row(job)).containsEntry("state", "COMPLETED").containsEntry("verdict", "FAILED");
    }

    @Test
    void theProductionVersionIsTheBaselineWhileTheRegistrySaysSoAndTheBaseModelAfter() throws Exception {
        DirectoryRef production = support.adapter("adapters/" + team + "/qa/2", team + "-production-v2",
                Map.of("exact_match", 0.75, "perplexity", 4.0, "reference_perplexity", 4.5));
        support.versionRegistered(team, "qa", 2, EvaluatorTestSupport.aliasTarget("production", 2, production, base));
        awaitAlias(team, "qa", "production", true);

        // 0.625 would pass against the base model (0.125) but falls 0.125 below production (0.75)
        Map<String, Double> candidate = Map.of("exact_match", 0.625, "perplexity", 4.25, "reference_perplexity", 5.0);
        String first = team + "-vs-production";
        support.send(training(first, "qa", candidate, POLICY));
        List<EvaluationEvent> events = support.events(first, 2, WAIT);
        EvaluationStarted started = events.get(0).getEvaluationStarted();
        assertThat(started.getBaseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_PRODUCTION_ADAPTER);
        assertThat(started.getBaseline().getAdapterVersion()).isEqualTo(2);
        assertThat(started.getBaseline().getAlias()).isEqualTo("production");
        assertThat(started.getBaselineDescription()).isEqualTo(team + "/qa v2 (production)");
        EvaluationCompleted completed = events.get(1).getEvaluationCompleted();
        assertThat(completed.getVerdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(completed.getBaselineMetricsMap()).containsEntry("exact_match", 0.75)
                .containsEntry("forgetting", 0.125);
        assertThat(completed.getThresholdResults(1).getPassed()).isFalse();
        assertThat(completed.getThresholdResults(1).getAbsoluteChange()).isEqualTo(-0.125);
        assertThat(scripted.callsFor(first).get(0).baseline()).isInstanceOf(BaselineModel.Adapter.class);

        // production removed: the base model is the baseline again
        support.aliasChanged(team, "qa", "production");
        awaitAlias(team, "qa", "production", false);
        String second = team + "-vs-base";
        support.send(training(second, "qa", candidate, POLICY));
        EvaluationCompleted again = completed(second);
        assertThat(again.getBaseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_BASE_MODEL);
        assertThat(again.getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
    }

    @Test
    void withoutAProductionVersionProductionAdapterModeSkipsChangeThresholdsAsAFirstVersion() throws Exception {
        String job = team + "-first";
        GatePolicy policy = POLICY.toBuilder().setBaselineMode(BaselineMode.BASELINE_MODE_PRODUCTION_ADAPTER).build();
        support.send(training(job, "brand-new", GOOD_ADAPTER, policy));
        List<EvaluationEvent> events = support.events(job, 2, WAIT);
        assertThat(events.get(0).getEvaluationStarted().getBaseline().getKind()).isEqualTo(BaselineKind.BASELINE_KIND_NONE);
        EvaluationCompleted completed = events.get(1).getEvaluationCompleted();
        assertThat(completed.getVerdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(completed.getBaselineMetricsMap()).isEmpty();
        assertThat(completed.getThresholdResultsList()).extracting(ThresholdResult::getSkipped)
                .containsExactly(false, true, true);
        assertThat(completed.getThresholdResults(2).getSkipReason()).isEqualTo("no baseline (first version)");
        assertThat(completed.getSummary()).isEqualTo(
                "PASSED: 1 of 1 threshold passed; 2 change thresholds skipped: no baseline (first version)");
        assertThat(scripted.callsFor(job).get(0).baseline()).isInstanceOf(BaselineModel.None.class);
    }

    @Test
    void aCorruptAdapterFailsWithTheChecksumCodeAndAMissingOneAsUnreadable() throws Exception {
        String corrupt = team + "-corrupt";
        TrainingSucceeded training = training(corrupt, "dates", GOOD_ADAPTER, POLICY);
        support.corrupt(training.getAdapter(), "adapter_model.safetensors");
        support.send(training);
        List<EvaluationEvent> events = support.events(corrupt, 2, WAIT);
        assertThat(events.get(0).hasEvaluationStarted()).isTrue();
        EvaluationFailed failed = events.get(1).getEvaluationFailed();
        assertThat(failed.getCode()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_ADAPTER_CHECKSUM_MISMATCH);
        assertThat(failed.getMessage()).contains("adapter of job " + corrupt).contains("adapter_model.safetensors")
                .contains("run the job again");
        assertThat(failed.getAttemptId()).isEqualTo(training.getAttemptId());
        assertThat(row(corrupt)).containsEntry("state", "FAILED")
                .containsEntry("error_code", "EVALUATION_ERROR_CODE_ADAPTER_CHECKSUM_MISMATCH");
        assertThat(scripted.callsFor(corrupt)).isEmpty();

        String missing = team + "-missing";
        TrainingSucceeded gone = training(missing, "dates", GOOD_ADAPTER, POLICY);
        blobs.delete(gone.getAdapter().getUri().substring(blobRootUri().length()) + "adapter_config.json");
        support.send(gone);
        assertThat(failed(missing).getCode()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_ADAPTER_UNREADABLE);
    }

    @Test
    void aPresentButEmptyGatePolicyIsRefusedBeforeAnythingIsMeasured() throws Exception {
        String job = team + "-empty-policy";
        support.send(training(job, "dates", GOOD_ADAPTER, GatePolicy.getDefaultInstance()));
        EvaluationFailed failed = failed(job);
        assertThat(failed.getCode()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_INVALID_GATE_POLICY);
        assertThat(failed.getMessage()).contains("at least one threshold");
        assertThat(support.allEvents(job, SETTLE)).hasSize(1); // refused: never started
        assertThat(scripted.callsFor(job)).isEmpty();
    }

    @Test
    void aJobWithoutGatePolicyIsJudgedByItsTeamDefaultOrRefusedWhenTheTeamHasNone() throws Exception {
        // "defaulted": exact_match >= 0.5 against the base model (application.properties, %test)
        String job = team + "-team-default";
        TrainingSucceeded training = EvaluatorTestSupport.training("defaulted", job, "dates", base, dates,
                support.adapter("checkpoints/" + job + "/final", job, Map.of("exact_match", 0.375)), null);
        support.send(training);
        EvaluationCompleted completed = completed(job);
        assertThat(completed.getTeam()).isEqualTo("defaulted");
        assertThat(completed.getVerdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(completed.getThresholdResultsList()).singleElement()
                .satisfies(result -> assertThat(result.getMessage()).isEqualTo("exact_match 0.375 < 0.5: failed"));
        assertThat(new ObjectMapper().readTree(support.read(completed.getReport())).path("gatePolicySource").asText())
                .isEqualTo("default policy of team defaulted");

        String orphan = team + "-no-default";
        support.send(training(orphan, "dates", GOOD_ADAPTER, null));
        EvaluationFailed failed = failed(orphan);
        assertThat(failed.getCode()).isEqualTo(EvaluationErrorCode.EVALUATION_ERROR_CODE_INVALID_GATE_POLICY);
        assertThat(failed.getMessage()).contains("foundry.evaluator.default-policies." + team);
    }

    @Test
    void anUndecodableTrainingEventGoesToTheDeadLetterTopic() {
        String key = team + "-garbage";
        support.kafka().send(Topics.TRAINING_EVENTS, key, "not protobuf \u00ff".getBytes(StandardCharsets.UTF_8), Map.of());
        var letters = support.kafka().await(Topics.DEAD_LETTERS, record -> key.equals(record.key()), 1, WAIT);
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(KafkaTestClient.header(letter, DeadLetters.CONSUMER)).isEqualTo("evaluator.training-events");
            assertThat(KafkaTestClient.header(letter, DeadLetters.REASON)).contains("TrainingEvent");
        });
    }

    private TrainingSucceeded training(String job, String adapterName, Map<String, Double> metrics, GatePolicy policy)
            throws Exception {
        DirectoryRef adapter = support.adapter("checkpoints/" + job + "/final", job, metrics);
        return EvaluatorTestSupport.training(team, job, adapterName, base, dates, adapter, policy);
    }

    private EvaluationCompleted completed(String job) {
        return support.events(job, 2, WAIT).stream().filter(EvaluationEvent::hasEvaluationCompleted).findFirst()
                .orElseThrow(() -> new AssertionError("no EvaluationCompleted for " + job + ": "
                        + support.allEvents(job, SETTLE)))
                .getEvaluationCompleted();
    }

    private EvaluationFailed failed(String job) {
        return support.kafka().await(Topics.EVALUATION_EVENTS, record -> job.equals(record.key())
                        && EvaluatorTestSupport.parse(record).hasEvaluationFailed(), 1, WAIT).stream()
                .map(EvaluatorTestSupport::parse).findFirst()
                .orElseThrow(() -> new AssertionError("no EvaluationFailed for " + job)).getEvaluationFailed();
    }

    private String blobRootUri() {
        return ((org.lorafoundry.platform.blob.FileBlobStore) blobs).root().toUri().toString();
    }

    private void awaitAlias(String team, String adapter, String alias, boolean present) {
        await().atMost(WAIT).until(() -> {
            try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(
                    "select count(*) from alias_targets where team = ? and adapter_name = ? and alias = ?")) {
                select.setString(1, team);
                select.setString(2, adapter);
                select.setString(3, alias);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    return (rows.getInt(1) == 1) == present;
                }
            }
        });
    }

    private Map<String, String> row(String job) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(
                "select state, verdict, error_code, runs, report_sha256 from evaluations where job_id = ?")) {
            select.setString(1, job);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).as("evaluation row of " + job).isTrue();
                Map<String, String> row = new java.util.HashMap<>();
                for (String column : List.of("state", "verdict", "error_code", "runs", "report_sha256")) {
                    if (rows.getString(column) != null) {
                        row.put(column, rows.getString(column));
                    }
                }
                return row;
            }
        }
    }
}
