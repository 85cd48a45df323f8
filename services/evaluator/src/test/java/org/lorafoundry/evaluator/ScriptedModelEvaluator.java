package org.lorafoundry.evaluator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.lorafoundry.evaluator.model.BaselineModel;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.evaluator.model.EvaluationInputs;
import org.lorafoundry.evaluator.model.EvaluationProgress;
import org.lorafoundry.evaluator.model.GenerationExample;
import org.lorafoundry.evaluator.model.MetricNames;
import org.lorafoundry.evaluator.model.ModelEvaluation;
import org.lorafoundry.evaluator.model.ModelEvaluator;

/**
 * Stands in for the model math only, in the service ITs (Kafka, PostgreSQL and the blob store stay real): instead of
 * running a model, it reads the metrics each model directory declares in a {@value #SCRIPT} file written by the test
 * (base model directory: the base model's metrics; adapter directories: that adapter's), and answers exactly the
 * metrics it was asked for. Row counts, examples and token counts come from the staged data files, so they prove which
 * data reached the model side. Every call is recorded by the {@code job} named in the candidate's script.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class ScriptedModelEvaluator implements ModelEvaluator {

    public static final String SCRIPT = "scripted-metrics.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, List<EvaluationInputs>> calls = new ConcurrentHashMap<>();

    /** Every call made for the job named in the candidate adapter's script. */
    public List<EvaluationInputs> callsFor(String jobId) {
        return calls.getOrDefault(jobId, List.of());
    }

    @Override
    public ModelEvaluation evaluate(EvaluationInputs inputs, EvaluationProgress progress) throws EvaluationException {
        JsonNode candidateScript = read(inputs.candidateAdapterDirectory());
        calls.computeIfAbsent(candidateScript.path("job").asText(), job -> new CopyOnWriteArrayList<>()).add(inputs);
        JsonNode baseScript = read(inputs.baseModelDirectory());

        Map<String, Double> candidate = metrics(candidateScript, inputs);
        if (inputs.metrics().contains(MetricNames.REFERENCE_PERPLEXITY_BASE)
                && baseScript.has(MetricNames.REFERENCE_PERPLEXITY)) {
            candidate.put(MetricNames.REFERENCE_PERPLEXITY_BASE, baseScript.get(MetricNames.REFERENCE_PERPLEXITY).asDouble());
        }
        Map<String, Double> baseline = Map.of();
        if (inputs.baseline() instanceof BaselineModel.BaseModel) {
            baseline = metrics(baseScript, inputs);
        } else if (inputs.baseline() instanceof BaselineModel.Adapter adapter) {
            baseline = metrics(read(adapter.directory()), inputs);
        }

        List<JsonNode> rows = rows(inputs.evaluationData().jsonl(), inputs.settings().maxEvalExamples());
        List<JsonNode> reference = rows(inputs.referenceData().jsonl(), inputs.settings().maxReferenceExamples());
        List<GenerationExample> examples = new ArrayList<>();
        for (JsonNode row : rows.subList(0, Math.min(rows.size(), inputs.settings().exampleCount()))) {
            examples.add(new GenerationExample(row.path("prompt").asText(), row.path("completion").asText(),
                    "(base model) I do not know", row.path("completion").asText()));
        }
        long tokens = 0;
        for (JsonNode row : rows) {
            tokens += row.toString().split("\\s+").length;
        }
        for (JsonNode row : reference) {
            tokens += row.path("text").asText().split("\\s+").length;
        }
        return new ModelEvaluation(candidate, baseline, examples, rows.size(), reference.size(), tokens);
    }

    private static Map<String, Double> metrics(JsonNode script, EvaluationInputs inputs) {
        Map<String, Double> metrics = new HashMap<>();
        script.fields().forEachRemaining(field -> {
            if (inputs.metrics().contains(field.getKey()) && field.getValue().isNumber()) {
                metrics.put(field.getKey(), field.getValue().asDouble());
            }
        });
        return metrics;
    }

    private static JsonNode read(Path directory) {
        try {
            return JSON.readTree(directory.resolve(SCRIPT).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("the test wrote no " + SCRIPT + " in " + directory, e);
        }
    }

    private static List<JsonNode> rows(Path jsonl, int max) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(jsonl)) {
                if (!line.isBlank() && rows.size() < max) {
                    rows.add(JSON.readTree(line));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
