package org.lorafoundry.evaluator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.model.GenerationExample;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.proto.v1.Baseline;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.proto.v1.Verdict;

/** Both renderings of one report: the standalone page and the JSON document. */
class HtmlReportTest {

    private static final GatePolicy POLICY = GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder()
            .setMetricName("exact_match").setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.9))).build();
    private static final EvaluationCompleted COMPLETED = EvaluationCompleted.newBuilder().setJobId("j-1").setTeam("red")
            .setAdapterName("dates").setAttemptId("a-1").setVerdict(Verdict.VERDICT_FAILED)
            .putCandidateMetrics("exact_match", 0.875).putBaselineMetrics("exact_match", 0.125)
            .putCandidateMetrics("perplexity", Double.NaN)
            .setBaseline(Baseline.newBuilder().setKind(BaselineKind.BASELINE_KIND_BASE_MODEL).setDescription("base model tiny"))
            .addThresholdResults(ThresholdResult.newBuilder().setMetricName("exact_match")
                    .setKind(ThresholdKind.THRESHOLD_KIND_VALUE).setCandidateValue(0.875).setPassed(false)
                    .setMessage("exact_match 0.875 < 0.9: failed"))
            .setSummary("FAILED: 1 of 1 threshold failed (exact_match)").setExamplesEvaluated(200).build();
    private static final List<GenerationExample> EXAMPLES = List.of(new GenerationExample(
            "Date 1965-05-10 in words: <script>alert('x')</script>", "May 10, 1965", "10 & 5", "May 10, 1965"));

    @Test
    void thePageShowsVerdictThresholdsMetricsAndExamplesWithEveryValueEscaped() {
        String html = new String(HtmlReport.render(new ReportContent(COMPLETED, POLICY, "the job's gate_policy", EXAMPLES,
                List.of("bleu"))), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Evaluation of red/dates (job j-1)")
                .contains("<span class=\"verdict failed\">FAILED</span>")
                .contains("FAILED: 1 of 1 threshold failed (exact_match)")
                .contains("exact_match 0.875 &lt; 0.9: failed")
                .contains("<td class=\"num\">0.875</td><td class=\"num\">0.125</td><td class=\"num\">+0.75</td>")
                .contains("<td class=\"num\">NaN</td>")
                .contains("base model tiny").contains("the job&#39;s gate_policy")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;").doesNotContain("<script>")
                .contains("10 &amp; 5")
                .contains("Asked for but not computed by this evaluator: bleu");
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<link");
    }

    @Test
    void aReportWithoutExamplesSaysSo() {
        String html = new String(HtmlReport.render(new ReportContent(COMPLETED, POLICY, "x", List.of(), List.of())),
                StandardCharsets.UTF_8);
        assertThat(html).contains("No example generations were recorded.").doesNotContain("Asked for but not computed");
    }

    @Test
    void theJsonReportCarriesTheEventThePolicyTheExamplesAndThePage() throws Exception {
        BlobRef page = new BlobRef(URI.create("file:///blobs/evaluations/j-1/a-1/report.html"), "ab".repeat(32), 1234);
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(new ReportContent(COMPLETED, POLICY,
                "default policy of team red", EXAMPLES, List.of("bleu")), page));
        assertThat(json.path("format").asText()).isEqualTo("foundry.evaluation-report.v1");
        assertThat(json.path("evaluation").path("verdict").asText()).isEqualTo("VERDICT_FAILED");
        assertThat(json.path("evaluation").path("candidateMetrics").path("exact_match").asDouble()).isEqualTo(0.875);
        assertThat(json.path("evaluation").path("candidateMetrics").path("perplexity").asText()).isEqualTo("NaN");
        assertThat(json.path("evaluation").path("thresholdResults").get(0).path("passed").asBoolean()).isFalse();
        assertThat(json.path("gatePolicy").path("thresholds").get(0).path("metricName").asText()).isEqualTo("exact_match");
        assertThat(json.path("gatePolicySource").asText()).isEqualTo("default policy of team red");
        assertThat(json.path("unknownMetrics").get(0).asText()).isEqualTo("bleu");
        assertThat(json.path("examples").get(0).path("adapterOutput").asText()).isEqualTo("May 10, 1965");
        assertThat(json.path("examples").get(0).path("baseModelOutput").asText()).isEqualTo("10 & 5");
        assertThat(json.path("htmlReport").path("sha256").asText()).isEqualTo("ab".repeat(32));
        assertThat(json.path("htmlReport").path("sizeBytes").asLong()).isEqualTo(1234);
    }
}
