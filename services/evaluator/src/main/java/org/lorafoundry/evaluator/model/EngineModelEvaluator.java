package org.lorafoundry.evaluator.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.data.DatasetException;
import org.lorafoundry.engine.data.HoldOut;
import org.lorafoundry.engine.eval.EvaluationListener;
import org.lorafoundry.engine.eval.EvaluationOptions;
import org.lorafoundry.engine.eval.EvaluationResult;
import org.lorafoundry.engine.eval.EvaluationSample;
import org.lorafoundry.engine.eval.GenerationConfig;
import org.lorafoundry.engine.eval.LabelSet;
import org.lorafoundry.engine.eval.Metric;
import org.lorafoundry.engine.eval.ReferencePerplexity;
import org.lorafoundry.engine.finetune.FineTuneException;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.proto.v1.EvaluationErrorCode;

import ai.djl.ndarray.NDManager;

/**
 * The LoRA engine's side of an evaluation: the base model loaded once with the candidate adapter (and a baseline
 * adapter) beside it, chosen per pass; loss and perplexity, generated answers scored with exact match / token F1 /
 * accuracy, and the reference perplexity with and without the adapter.
 */
@ApplicationScoped
public class EngineModelEvaluator implements ModelEvaluator {

    private static final String CANDIDATE = "candidate";
    private static final String BASELINE = "baseline";
    /** Longest example of the loss pass and longest prompt (the engine also caps it at the model's context). */
    private static final int MAX_SEQ_LENGTH = 1024;
    private static final int REFERENCE_BATCH = 8;

    @Override
    public ModelEvaluation evaluate(EvaluationInputs inputs, EvaluationProgress progress) throws EvaluationException {
        Path rows = evaluationRows(inputs);
        Set<Metric> metrics = engineMetrics(inputs);
        boolean reference = inputs.metrics().stream().anyMatch(m -> m.startsWith("reference_"))
                || inputs.metrics().contains(MetricNames.FORGETTING);
        try (NDManager manager = EngineRuntime.newManager();
             LoraModel lora = load(inputs.baseModelDirectory(), manager);
             HfTokenizer tokenizer = tokenizer(inputs.baseModelDirectory())) {
            loadAdapter(lora, CANDIDATE, inputs.candidateAdapterDirectory(), "candidate");
            String baselineAdapter = null;
            if (inputs.baseline() instanceof BaselineModel.Adapter adapter) {
                loadAdapter(lora, BASELINE, adapter.directory(), "baseline");
                baselineAdapter = BASELINE;
            }
            org.lorafoundry.engine.eval.ModelEvaluation engine = engine(lora, tokenizer, inputs.baseModelDirectory());
            EvaluationOptions options = options(inputs, metrics);
            long tokens = 0;

            EvaluationResult candidate = run(engine, CANDIDATE, rows, options, progress, "candidate");
            tokens += candidate.cost().tokensProcessed();
            Map<String, Double> candidateMetrics = platformMetrics(candidate);

            Map<String, Double> baselineMetrics = new LinkedHashMap<>();
            List<EvaluationSample> baseSamples = List.of();
            boolean hasBaseline = !(inputs.baseline() instanceof BaselineModel.None);
            if (hasBaseline) {
                EvaluationResult baseline = run(engine, baselineAdapter, rows, options, progress, "baseline");
                tokens += baseline.cost().tokensProcessed();
                baselineMetrics.putAll(platformMetrics(baseline));
                if (baselineAdapter == null) {
                    baseSamples = baseline.samples();
                }
            }
            if (baseSamples.isEmpty() && metrics.stream().anyMatch(Metric::needsGeneration)
                    && inputs.settings().exampleCount() > 0) {
                // The report shows the base model's answers beside the adapter's for a few rows.
                EvaluationOptions few = EvaluationOptions.builder().maxExamples(inputs.settings().exampleCount())
                        .shuffle(inputs.seed()).generation(options.generation()).labels(options.labels())
                        .metrics(EnumSet.copyOf(metrics.stream().filter(Metric::needsGeneration).toList()))
                        .maxSeqLength(MAX_SEQ_LENGTH).samples(inputs.settings().exampleCount()).build();
                EvaluationResult base = run(engine, null, rows, few, progress, "base model examples");
                tokens += base.cost().tokensProcessed();
                baseSamples = base.samples();
            }

            int referenceExamples = 0;
            if (reference) {
                Path text = inputs.referenceData().jsonl();
                int max = inputs.settings().maxReferenceExamples();
                progress.report("reference perplexity (candidate)", 0, max);
                ReferencePerplexity withAdapter = reference(engine, CANDIDATE, text, max);
                progress.report("reference perplexity (base model)", 0, max);
                ReferencePerplexity base = reference(engine, null, text, max);
                tokens += withAdapter.tokens() + base.tokens();
                referenceExamples = withAdapter.examples();
                candidateMetrics.put(MetricNames.REFERENCE_LOSS, withAdapter.loss());
                candidateMetrics.put(MetricNames.REFERENCE_PERPLEXITY, withAdapter.perplexity());
                candidateMetrics.put(MetricNames.REFERENCE_PERPLEXITY_BASE, base.perplexity());
                if (hasBaseline) {
                    ReferencePerplexity baseline = baselineAdapter == null ? base
                            : reference(engine, baselineAdapter, text, max);
                    if (baselineAdapter != null) {
                        tokens += baseline.tokens();
                    }
                    baselineMetrics.put(MetricNames.REFERENCE_LOSS, baseline.loss());
                    baselineMetrics.put(MetricNames.REFERENCE_PERPLEXITY, baseline.perplexity());
                    baselineMetrics.put(MetricNames.REFERENCE_PERPLEXITY_BASE, base.perplexity());
                }
            }
            return new ModelEvaluation(candidateMetrics, baselineMetrics,
                    examples(candidate.samples(), baseSamples, inputs.settings().exampleCount()),
                    candidate.examples(), referenceExamples, tokens);
        } catch (OutOfMemoryError e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_OUT_OF_MEMORY,
                    "evaluation ran out of memory; lower max_eval_examples or the model size", e);
        } catch (RuntimeException e) {
            if (FineTuneException.isOutOfMemory(e)) {
                throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_OUT_OF_MEMORY,
                        "evaluation ran out of memory (" + e.getMessage() + ")", e);
            }
            throw e;
        }
    }

    /** The evaluation rows: the given file, or the rows training held out of it (same seed, same rows). */
    private static Path evaluationRows(EvaluationInputs inputs) throws EvaluationException {
        EvaluationData data = inputs.evaluationData();
        if (data.holdOutFraction().isEmpty()) {
            return data.jsonl();
        }
        try {
            Path dir = data.jsonl().toAbsolutePath().getParent();
            return HoldOut.split(data.jsonl(), data.holdOutFraction().getAsDouble(), inputs.seed(),
                    dir.resolve("held-in.jsonl"), dir.resolve("held-out.jsonl")).heldOut();
        } catch (DatasetException | IOException | IllegalArgumentException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE,
                    "cannot hold out the validation rows of " + data.jsonl().getFileName() + ": " + e.getMessage(), e);
        }
    }

    /** The platform's metric names as the engine's metrics (loss and perplexity always: they are cheap and shown). */
    private static Set<Metric> engineMetrics(EvaluationInputs inputs) {
        Set<Metric> metrics = EnumSet.of(Metric.LOSS, Metric.PERPLEXITY);
        boolean answers = inputs.evaluationData().format() != org.lorafoundry.proto.v1.DatasetFormat.DATASET_FORMAT_TEXT;
        if (answers && inputs.metrics().contains(MetricNames.EXACT_MATCH)) {
            metrics.add(Metric.EXACT_MATCH);
        }
        if (answers && inputs.metrics().contains(MetricNames.TOKEN_F1)) {
            metrics.add(Metric.TOKEN_F1);
        }
        if (answers && inputs.metrics().contains(MetricNames.ACCURACY) && !labels(inputs).isEmpty()) {
            metrics.add(Metric.ACCURACY);
        }
        return metrics;
    }

    private static List<String> labels(EvaluationInputs inputs) {
        return inputs.settings().labelSet().isEmpty() ? inputs.evaluationData().labelValues()
                : inputs.settings().labelSet();
    }

    private static EvaluationOptions options(EvaluationInputs inputs, Set<Metric> metrics) {
        GenerationSettings g = inputs.settings().generation();
        GenerationConfig.Builder generation = GenerationConfig.builder().maxNewTokens(g.maxNewTokens())
                .temperature(g.temperature()).stopSequences(g.stopSequences()).seed(inputs.seed());
        g.topP().ifPresent(generation::topP);
        List<String> labels = labels(inputs);
        return EvaluationOptions.builder().maxExamples(inputs.settings().maxEvalExamples()).shuffle(inputs.seed())
                .generation(generation.build()).labels(labels.isEmpty() ? null : new LabelSet(labels))
                .metrics(metrics).maxSeqLength(MAX_SEQ_LENGTH).samples(inputs.settings().exampleCount()).build();
    }

    private static EvaluationResult run(org.lorafoundry.engine.eval.ModelEvaluation engine, String adapter, Path rows,
            EvaluationOptions options, EvaluationProgress progress, String who) throws EvaluationException {
        EvaluationListener listener = p -> progress.report(p.phase().name().toLowerCase() + " (" + who + ")", p.done(),
                p.total());
        try {
            return engine.evaluate(adapter, rows, options, listener);
        } catch (DatasetException | org.lorafoundry.engine.eval.EvaluationException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE,
                    "the evaluation rows cannot be evaluated: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE,
                    "the evaluation rows cannot be read: " + e.getMessage(), e);
        }
    }

    private static ReferencePerplexity reference(org.lorafoundry.engine.eval.ModelEvaluation engine, String adapter,
            Path text, int maxExamples) throws EvaluationException {
        try {
            return engine.referencePerplexity(adapter, org.lorafoundry.engine.data.JsonlDataset.read(text),
                    maxExamples, MAX_SEQ_LENGTH, REFERENCE_BATCH);
        } catch (DatasetException | org.lorafoundry.engine.eval.EvaluationException | IOException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_DATASET_UNREADABLE,
                    "the reference text cannot be evaluated: " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> platformMetrics(EvaluationResult result) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        result.metrics().forEach((key, value) -> {
            switch (key) {
                case "loss" -> metrics.put(MetricNames.VALIDATION_LOSS, value);
                case "perplexity" -> metrics.put(MetricNames.PERPLEXITY, value);
                case "exact_match", "token_f1", "accuracy" -> metrics.put(key, value);
                default -> {
                    // engine extras (exact_match_strict, invalid_predictions) stay out of the gate's namespace
                }
            }
        });
        return metrics;
    }

    private static List<GenerationExample> examples(List<EvaluationSample> adapter, List<EvaluationSample> base,
            int count) {
        Map<Integer, EvaluationSample> baseByLine = new HashMap<>();
        base.forEach(sample -> baseByLine.put(sample.line(), sample));
        List<GenerationExample> examples = new ArrayList<>();
        for (EvaluationSample sample : adapter) {
            if (examples.size() == count) {
                break;
            }
            EvaluationSample fromBase = baseByLine.get(sample.line());
            examples.add(new GenerationExample(sample.prompt(), sample.reference(),
                    fromBase == null ? "" : fromBase.generated(), sample.generated()));
        }
        return examples;
    }

    private static org.lorafoundry.engine.eval.ModelEvaluation engine(LoraModel lora, HfTokenizer tokenizer,
            Path baseModel) throws EvaluationException {
        try {
            return org.lorafoundry.engine.eval.ModelEvaluation.of(lora, tokenizer, baseModel);
        } catch (IOException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_BASE_MODEL_UNREADABLE,
                    "cannot read the base model's generation settings: " + e.getMessage(), e);
        }
    }

    private static LoraModel load(Path baseModel, NDManager manager) throws EvaluationException {
        try {
            return LoraModel.load(baseModel, manager);
        } catch (IOException | RuntimeException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_BASE_MODEL_UNREADABLE,
                    "cannot load the base model: " + e.getMessage(), e);
        }
    }

    private static HfTokenizer tokenizer(Path baseModel) throws EvaluationException {
        try {
            return HfTokenizer.load(baseModel);
        } catch (IOException | RuntimeException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_BASE_MODEL_UNREADABLE,
                    "cannot load the base model's tokenizer: " + e.getMessage(), e);
        }
    }

    private static void loadAdapter(LoraModel lora, String name, Path directory, String what)
            throws EvaluationException {
        try {
            if (!Files.isRegularFile(directory.resolve("adapter_config.json"))) {
                throw new IOException("no adapter_config.json in " + directory);
            }
            lora.loadAdapter(name, directory);
        } catch (IOException | RuntimeException e) {
            throw new EvaluationException(EvaluationErrorCode.EVALUATION_ERROR_CODE_ADAPTER_UNREADABLE,
                    "the " + what + " adapter does not load onto the base model: " + e.getMessage(), e);
        }
    }
}
