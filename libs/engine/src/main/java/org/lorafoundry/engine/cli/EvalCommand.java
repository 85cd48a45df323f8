package org.lorafoundry.engine.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lorafoundry.engine.eval.EvaluationCost;
import org.lorafoundry.engine.eval.EvaluationOptions;
import org.lorafoundry.engine.eval.EvaluationResult;
import org.lorafoundry.engine.eval.EvaluationSample;
import org.lorafoundry.engine.eval.LabelSet;
import org.lorafoundry.engine.eval.Metric;
import org.lorafoundry.engine.eval.ModelEvaluation;
import org.lorafoundry.engine.eval.ReferencePerplexity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code engine eval}: loss, perplexity and answer metrics of a base model or an adapter on JSONL data
 * ({@link ModelEvaluation}), and the forgetting check: perplexity of general text with the adapter on and off.
 */
@Command(name = "eval", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Evaluate a base model, or a PEFT adapter on it, on JSONL data: loss and perplexity on every "
                + "row format; exact match, strict exact match and token F1 of generated answers on "
                + "prompt/completion and chat rows; accuracy with --labels.",
            "--reference measures general-text perplexity with the adapter on and off (the forgetting check)."},
        footer = {"", "Example:",
            "  engine eval --base models/llama --adapter runs/dates/adapter \\",
            "      --data test.jsonl --max-new-tokens 16 --stop '\\n' \\",
            "      --reference general.jsonl --json"})
final class EvalCommand implements Callable<Integer> {
    /** Keys of the forgetting check in the metrics. */
    static final String REFERENCE_PERPLEXITY = "reference_perplexity";
    static final String BASE_REFERENCE_PERPLEXITY = "base_reference_perplexity";
    static final String REFERENCE_PERPLEXITY_CHANGE = "reference_perplexity_change";

    @Spec
    CommandSpec spec;

    @ParentCommand
    EngineCommand root;

    @Option(names = "--base", paramLabel = "DIR", required = true,
            description = "Hugging Face model directory.")
    Path base;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter directory (default: evaluate the "
            + "base model).")
    Path adapter;

    @Option(names = "--data", paramLabel = "JSONL", required = true,
            description = "Evaluation data: text, prompt/completion or chat rows.")
    Path data;

    @Option(names = "--metrics", paramLabel = "METRIC", split = ",",
            description = "Some of: ${COMPLETION-CANDIDATES} (default: every one that applies to the data).")
    List<Metric> metrics;

    @Option(names = "--labels", paramLabel = "LABEL", split = ",",
            description = "The label set of a classification task (positive,negative): adds accuracy.")
    List<String> labels;

    @Option(names = "--max-examples", paramLabel = "N", defaultValue = "0",
            description = "Evaluate at most N rows; 0 = all (default: ${DEFAULT-VALUE}).")
    int maxExamples;

    @Option(names = "--shuffle", paramLabel = "SEED",
            description = "Pick rows in a random order drawn from SEED (before --max-examples), not file order.")
    Long shuffleSeed;

    @Option(names = "--max-seq-length", paramLabel = "N", defaultValue = "1024",
            description = "Longest example for the loss and longest prompt (default: ${DEFAULT-VALUE}).")
    int maxSeqLength;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Rows per forward pass of the loss (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "5",
            description = "Answers shown (the first N evaluated rows) (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--reference", paramLabel = "JSONL",
            description = "General text ({\"text\": ...} rows): perplexity with the adapter on and off.")
    Path reference;

    @Option(names = "--reference-max-examples", paramLabel = "N", defaultValue = "0",
            description = "Reference rows read; 0 = all (default: ${DEFAULT-VALUE}).")
    int referenceMaxExamples;

    @Mixin
    GenerationOptions generation;

    @Mixin
    RunOptions run;

    /** The EvaluationOptions of these options; invalid values are a usage error. */
    EvaluationOptions options() {
        EvaluationOptions.Builder b = EvaluationOptions.builder().maxExamples(maxExamples).maxSeqLength(maxSeqLength)
                .batchSize(batchSize).samples(samples).generation(generation.toConfig())
                .metrics(metrics == null ? EnumSet.noneOf(Metric.class) : EnumSet.copyOf(metrics));
        if (shuffleSeed != null) {
            b.shuffle(shuffleSeed);
        }
        try {
            if (labels != null) {
                b.labels(new LabelSet(labels));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        run.applyThreads();
        EvaluationOptions options = options();
        InputPaths.file(data, "--data");
        InputPaths.optionalFile(reference, "--reference");
        EngineConsole console = root.console();
        ProgressDisplay display = ProgressDisplay.of(console, run.quiet);
        try (LoadedModel loaded = LoadedModel.open(base, adapter)) {
            ModelEvaluation evaluation = ModelEvaluation.of(loaded.model(), loaded.tokenizer(), base);
            display.line("evaluating " + (adapter == null ? "the base model " + base : "adapter " + adapter + " on "
                    + base) + " on " + data);
            EvaluationResult result;
            try {
                result = evaluation.evaluate(loaded.adapter(), data, options, new EvaluationProgressView(display));
            } finally {
                display.finish();
            }
            Map<String, Double> values = new LinkedHashMap<>(result.metrics());
            if (reference != null) {
                display.line("reference perplexity on " + reference);
                ReferencePerplexity on = evaluation.referencePerplexity(loaded.adapter(), reference,
                        referenceMaxExamples, maxSeqLength);
                values.put(REFERENCE_PERPLEXITY, on.perplexity());
                if (loaded.adapter() != null) {
                    ReferencePerplexity off = evaluation.referencePerplexity(null, reference, referenceMaxExamples,
                            maxSeqLength);
                    values.put(BASE_REFERENCE_PERPLEXITY, off.perplexity());
                    values.put(REFERENCE_PERPLEXITY_CHANGE, on.relativeChangeFrom(off));
                }
            }
            Report report = new Report(base.toString(), adapter == null ? null : adapter.toString(), data.toString(),
                    result.format().name(), result.examples(), values, result.samples(), result.cost(),
                    result.truncatedExamples(), result.truncatedPrompts());
            if (run.json) {
                JsonOutput.print(console.out(), report);
            } else {
                console.out().print(report.render());
                console.out().flush();
            }
        }
        return ExitCode.OK.code();
    }

    /** What was evaluated and what it measured ({@code --json} prints it as is). */
    record Report(String base, String adapter, String data, String format, int examples, Map<String, Double> metrics,
            List<EvaluationSample> samples, EvaluationCost cost, long truncatedExamples, long truncatedPrompts) {

        String render() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "%d examples (%s) of %s%n", examples, format.toLowerCase(Locale.ROOT),
                    data));
            TextTable table = TextTable.of("METRIC", "VALUE");
            metrics.forEach((k, v) -> table.row(k, String.format(Locale.ROOT, "%.6g", v)));
            s.append(table.render());
            for (EvaluationSample sample : samples) {
                s.append(String.format(Locale.ROOT, "line %d: expected %s, generated %s (%s)%n", sample.line(),
                        quoted(sample.reference()), quoted(sample.generated()), sample.finishReason()));
            }
            s.append(String.format(Locale.ROOT, "%,d tokens in %.1f s (%,.0f tokens/s)%s%n", cost.tokensProcessed(),
                    cost.seconds(), cost.tokensPerSecond(), truncatedExamples + truncatedPrompts > 0
                            ? String.format(Locale.ROOT, "; truncated: %d examples, %d prompts", truncatedExamples,
                                    truncatedPrompts) : ""));
            return s.toString();
        }

        private static String quoted(String text) {
            return "\"" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
        }
    }
}
