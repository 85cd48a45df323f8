package org.lorafoundry.evaluator.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.google.protobuf.util.Durations;

import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Template;
import io.quarkus.qute.Variant;

import org.lorafoundry.evaluator.gate.MetricText;
import org.lorafoundry.evaluator.model.GenerationExample;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.Verdict;

/**
 * The report as one standalone HTML page for people (inline styles, no scripts, no external assets), rendered from
 * {@value #TEMPLATE} by Qute with HTML escaping of every value: prompts and generations are untrusted text.
 */
public final class HtmlReport {

    public static final String MEDIA_TYPE = "text/html; charset=utf-8";
    static final String TEMPLATE = "report/evaluation-report.html";

    private static final Template PAGE = parse();

    private HtmlReport() {
    }

    public static byte[] render(ReportContent content) {
        return PAGE.data("view", View.of(content, Instant.now())).render().getBytes(StandardCharsets.UTF_8);
    }

    /** What the template shows, formatted. */
    public record View(String title, String verdict, String verdictClass, String summary, List<Fact> facts,
            List<ThresholdRow> thresholds, List<MetricRow> metrics, List<GenerationExample> examples,
            boolean hasExamples, String unknownMetrics, String generatedAt) {

        static View of(ReportContent content, Instant now) {
            EvaluationCompleted completed = content.completed();
            boolean passed = completed.getVerdict() == Verdict.VERDICT_PASSED;
            return new View("Evaluation of " + completed.getTeam() + "/" + completed.getAdapterName() + " (job "
                    + completed.getJobId() + ")", passed ? "PASSED" : "FAILED", passed ? "passed" : "failed",
                    completed.getSummary(), factsOf(content), thresholdRowsOf(completed), metricRowsOf(completed),
                    content.examples(), !content.examples().isEmpty(), String.join(", ", content.unknownMetrics()),
                    now.truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }

    public record Fact(String label, String value) {
    }

    public record ThresholdRow(String metric, String kind, String outcome, String message) {
    }

    public record MetricRow(String name, String candidate, String baseline, String change) {
    }

    private static List<Fact> factsOf(ReportContent content) {
        EvaluationCompleted completed = content.completed();
        TrainingTask task = completed.getTraining().getTask();
        List<Fact> facts = new ArrayList<>();
        facts.add(new Fact("Team", completed.getTeam()));
        facts.add(new Fact("Adapter", completed.getAdapterName()));
        facts.add(new Fact("Job", completed.getJobId()));
        facts.add(new Fact("Training attempt", completed.getAttemptId()));
        facts.add(new Fact("Base model", task.getBaseModel().getName() + " (sha256 "
                + abbreviate(task.getBaseModel().getSha256()) + ")"));
        facts.add(new Fact("Dataset", task.getDataset().getName() + " v" + task.getDataset().getVersion()));
        facts.add(new Fact("Baseline", completed.getBaseline().getDescription()));
        facts.add(new Fact("Gate policy", content.policySource()));
        facts.add(new Fact("Examples evaluated", Integer.toString(completed.getExamplesEvaluated())));
        facts.add(new Fact("Reference examples", Integer.toString(completed.getReferenceExamplesEvaluated())));
        facts.add(new Fact("Evaluation time", MetricText.number(Durations.toMillis(completed.getDuration()) / 1000.0) + " s"));
        return facts;
    }

    private static List<ThresholdRow> thresholdRowsOf(EvaluationCompleted completed) {
        List<ThresholdRow> rows = new ArrayList<>();
        for (ThresholdResult result : completed.getThresholdResultsList()) {
            rows.add(new ThresholdRow(result.getMetricName(),
                    result.getKind() == ThresholdKind.THRESHOLD_KIND_CHANGE ? "change" : "value",
                    result.getSkipped() ? "skipped" : result.getPassed() ? "passed" : "failed", result.getMessage()));
        }
        return rows;
    }

    private static List<MetricRow> metricRowsOf(EvaluationCompleted completed) {
        Map<String, Double> candidate = completed.getCandidateMetricsMap();
        Map<String, Double> baseline = completed.getBaselineMetricsMap();
        TreeSet<String> names = new TreeSet<>(candidate.keySet());
        names.addAll(baseline.keySet());
        List<MetricRow> rows = new ArrayList<>();
        for (String name : names) {
            Double value = candidate.get(name);
            Double base = baseline.get(name);
            rows.add(new MetricRow(name, value == null ? "–" : MetricText.number(value),
                    base == null ? "–" : MetricText.number(base),
                    value == null || base == null ? "" : MetricText.signed(value - base)));
        }
        return rows;
    }

    private static String abbreviate(String sha256) {
        return sha256.length() > 12 ? sha256.substring(0, 12) + "…" : sha256;
    }

    private static Template parse() {
        Engine engine = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
                .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML))).strictRendering(true).build();
        try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IllegalStateException("template " + TEMPLATE + " is missing from the evaluator");
            }
            return engine.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    Variant.forContentType(Variant.TEXT_HTML));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
