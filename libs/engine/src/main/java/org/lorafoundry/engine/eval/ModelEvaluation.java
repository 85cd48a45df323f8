package org.lorafoundry.engine.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.lorafoundry.engine.data.BatchIterator;
import org.lorafoundry.engine.data.DataFormat;
import org.lorafoundry.engine.data.DatasetException;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.data.JsonlDataset;
import org.lorafoundry.engine.data.TrainingExample;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * Evaluates the base model or one of its adapters on a JSONL dataset (the {@link DataFormat}s of the data package):
 *
 * <pre>{@code
 * ModelEvaluation evaluation = ModelEvaluation.of(lora, tokenizer, baseDir);
 * EvaluationResult r = evaluation.evaluate("dates", Path.of("eval.jsonl"), EvaluationOptions.builder()
 *         .maxExamples(200).shuffle(42).generation(GenerationConfig.greedy(16)).build(), System.out::println);
 * r.metrics();   // {loss=…, perplexity=…, exact_match=…, exact_match_strict=…, token_f1=…}
 * ReferencePerplexity on = evaluation.referencePerplexity("dates", Path.of("general.jsonl"), 100, 256);
 * ReferencePerplexity off = evaluation.referencePerplexity(null, Path.of("general.jsonl"), 100, 256);
 * on.relativeChangeFrom(off);   // the forgetting check
 * }</pre>
 *
 * <ul>
 *   <li><b>Loss</b>: the rows are encoded exactly as for training ({@link ExampleEncoder}: completion + EOS, assistant
 *   turns, or every token of text rows are the labels), run in right-padded batches, and the NLL of every label token
 *   is summed: {@code loss} is the token-weighted mean over the dataset (= transformers' loss on one batch holding
 *   every example), {@code perplexity = exp(loss)}.</li>
 *   <li><b>Answers</b> (prompt/completion and chat rows): the prompt is the {@code prompt} (tokenized with the
 *   post-processor's special tokens, as in training), or the messages before the last assistant turn rendered with
 *   {@code add_generation_prompt=True}; the reference is the completion, or that turn's content. One generation per
 *   row ({@link Generator}), scored with {@link ExactMatch}, {@link TokenF1} and, with a label set, {@link LabelSet}
 *   accuracy; each metric is the mean over rows.</li>
 * </ul>
 * Everything is deterministic: the same options give the same result, whatever {@code batchSize} (up to float
 * rounding in the loss, ~1e-7 relative). Errors in rows name the file and line.
 */
public final class ModelEvaluation {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_BATCH_SIZE = 8;

    private final LoraModel model;
    private final HfTokenizer tokenizer;
    private final Generator generator;

    public ModelEvaluation(LoraModel model, HfTokenizer tokenizer, EosTokens eos) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.generator = new Generator(model, tokenizer, eos);
    }

    /** An evaluation whose EOS ids are read from the base model's directory ({@link EosTokens#read}). */
    public static ModelEvaluation of(LoraModel model, HfTokenizer tokenizer, Path modelDir) throws IOException {
        return new ModelEvaluation(model, tokenizer, EosTokens.read(modelDir, tokenizer, model.base().config()));
    }

    public EvaluationResult evaluate(String adapter, Path jsonl, EvaluationOptions options,
            EvaluationListener listener) throws IOException {
        return evaluate(adapter, JsonlDataset.read(jsonl), options, listener);
    }

    /**
     * Evaluates {@code adapter} ({@code null}: the base model) on the dataset.
     *
     * @throws EvaluationException when a metric does not apply (answer metrics on text rows, accuracy without labels)
     *     or a row lacks what a metric needs
     */
    public EvaluationResult evaluate(String adapter, JsonlDataset data, EvaluationOptions options,
            EvaluationListener listener) {
        long start = System.nanoTime();
        Set<Metric> metrics = metricsFor(data, options);
        List<JsonlDataset.Row> rows = select(data.rows(), options);
        int maxLength = Math.min(options.maxSeqLength(), generator.contextLimit());
        Map<String, Double> values = new LinkedHashMap<>();
        long lossTokens = 0;
        long truncatedExamples = 0;
        if (metrics.contains(Metric.LOSS) || metrics.contains(Metric.PERPLEXITY)) {
            ExampleEncoder encoder = new ExampleEncoder(tokenizer, maxLength);
            List<TrainingExample> examples = encode(data, rows, encoder);
            TokenNll nll = nll(adapter, examples, options.batchSize(), EvaluationProgress.Phase.LOSS, listener);
            if (nll.tokens() == 0) {
                throw new EvaluationException(data.file() + ": the " + rows.size() + " evaluated rows have no label"
                        + " tokens (every completion/assistant turn empty or truncated away), so there is no loss");
            }
            putIfAsked(values, metrics, Metric.LOSS, nll.mean());
            putIfAsked(values, metrics, Metric.PERPLEXITY, nll.perplexity());
            lossTokens = examples.stream().mapToLong(TrainingExample::length).sum();
            truncatedExamples = encoder.truncatedCount();
        }
        Answers answers = new Answers(data.file(), metrics, options);
        if (metrics.stream().anyMatch(Metric::needsGeneration)) {
            // The prompt must leave room for at least one generated token within GPT-2's context.
            int maxPrompt = Math.min(options.maxSeqLength(), generator.contextLimit() - 1);
            for (int i = 0; i < rows.size(); i++) {
                answers.add(rows.get(i).line(), prompt(data, rows.get(i)), adapter, maxPrompt);
                listener.onProgress(new EvaluationProgress(EvaluationProgress.Phase.GENERATION, i + 1, rows.size()));
            }
            values.putAll(answers.means());
        }
        EvaluationCost cost = new EvaluationCost((System.nanoTime() - start) / 1e9, lossTokens, answers.promptTokens,
                answers.generatedTokens);
        return new EvaluationResult(adapter, data.format(), rows.size(), ordered(values), answers.samples, cost,
                truncatedExamples, answers.truncatedPrompts);
    }

    /**
     * Perplexity of general text with {@code adapter} ({@code null}: the base model): the first {@code maxExamples}
     * rows (0 = all) of a text JSONL file, each cut to {@code maxSeqLength} tokens, every token predicted.
     */
    public ReferencePerplexity referencePerplexity(String adapter, Path textJsonl, int maxExamples, int maxSeqLength)
            throws IOException {
        return referencePerplexity(adapter, JsonlDataset.read(textJsonl), maxExamples, maxSeqLength,
                DEFAULT_BATCH_SIZE);
    }

    public ReferencePerplexity referencePerplexity(String adapter, JsonlDataset text, int maxExamples,
            int maxSeqLength, int batchSize) {
        if (text.format() != DataFormat.TEXT) {
            throw new EvaluationException(text.file() + " holds " + text.format() + " rows; the reference perplexity"
                    + " is measured on general text ({\"text\": ...} rows)");
        }
        long start = System.nanoTime();
        EvaluationOptions options = EvaluationOptions.builder().maxExamples(maxExamples).maxSeqLength(maxSeqLength)
                .batchSize(batchSize).build();
        List<JsonlDataset.Row> rows = select(text.rows(), options);
        int maxLength = Math.min(maxSeqLength, generator.contextLimit());
        List<TrainingExample> examples = encode(text, rows, new ExampleEncoder(tokenizer, maxLength));
        TokenNll nll = nll(adapter, examples, batchSize, EvaluationProgress.Phase.LOSS, EvaluationListener.NONE);
        return new ReferencePerplexity(adapter, nll.mean(), nll.perplexity(), nll.tokens(), rows.size(),
                (System.nanoTime() - start) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ selection

    private static Set<Metric> metricsFor(JsonlDataset data, EvaluationOptions options) {
        boolean answers = data.format() != DataFormat.TEXT;
        if (options.metrics().isEmpty()) {
            Set<Metric> all = EnumSet.of(Metric.LOSS, Metric.PERPLEXITY);
            if (answers) {
                all.addAll(List.of(Metric.EXACT_MATCH, Metric.EXACT_MATCH_STRICT, Metric.TOKEN_F1));
                if (options.labels() != null) {
                    all.add(Metric.ACCURACY);
                }
            }
            return all;
        }
        for (Metric m : options.metrics()) {
            if (m.needsGeneration() && !answers) {
                throw new EvaluationException(m.key() + " compares generated answers with references, which needs"
                        + " prompt/completion or chat rows; " + data.file() + " holds text rows (loss and perplexity"
                        + " apply)");
            }
        }
        if (options.metrics().contains(Metric.ACCURACY) && options.labels() == null) {
            throw new EvaluationException("accuracy needs a label set (EvaluationOptions.labels)");
        }
        return options.metrics();
    }

    /** File order, or a seeded shuffle, then the first {@code maxExamples}. */
    private static List<JsonlDataset.Row> select(List<JsonlDataset.Row> rows, EvaluationOptions options) {
        List<JsonlDataset.Row> order = new ArrayList<>(rows);
        if (options.shuffle()) {
            Collections.shuffle(order, new Random(options.seed()));
        }
        int n = options.maxExamples() == 0 ? order.size() : Math.min(options.maxExamples(), order.size());
        return List.copyOf(order.subList(0, n));
    }

    private static List<TrainingExample> encode(JsonlDataset data, List<JsonlDataset.Row> rows,
            ExampleEncoder encoder) {
        List<TrainingExample> out = new ArrayList<>(rows.size());
        for (JsonlDataset.Row row : rows) {
            try {
                out.add(encoder.encode(data.format(), row.value()));
            } catch (RuntimeException e) {
                throw new DatasetException(data.file() + ":" + row.line() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    // ----------------------------------------------------------------------------------------------------- loss

    private TokenNll nll(String adapter, List<TrainingExample> examples, int batchSize,
            EvaluationProgress.Phase phase, EvaluationListener listener) {
        BatchIterator batches = new BatchIterator(examples, new BatchIterator.Options(batchSize,
                examples.stream().mapToInt(TrainingExample::length).max().orElse(2), ExampleEncoder.padId(tokenizer),
                0, false, false, 1));
        TokenNll total = TokenNll.ZERO;
        int done = 0;
        while (batches.hasNext()) {
            TrainingBatch batch = batches.next();
            total = total.plus(LabelLikelihood.of(model, adapter, batch));
            done += batch.batchSize();
            listener.onProgress(new EvaluationProgress(phase, done, examples.size()));
        }
        return total;
    }

    // -------------------------------------------------------------------------------------------------- answers

    /** What a row asks the model and what it should answer. */
    private record Prompt(String text, long[] ids, String reference) {
    }

    private Prompt prompt(JsonlDataset data, JsonlDataset.Row row) {
        JsonNode value = row.value();
        String where = data.file() + ":" + row.line() + ": ";
        if (data.format() == DataFormat.PROMPT_COMPLETION) {
            String prompt = text(value.get("prompt"), where + "'prompt'");
            return new Prompt(prompt, tokenizer.encode(prompt, true), text(value.get("completion"),
                    where + "'completion'"));
        }
        JsonNode messages = value.get("messages");
        if (messages == null || !messages.isArray()) {
            throw new EvaluationException(where + "'messages' must be an array");
        }
        int last = -1;
        for (int i = 0; i < messages.size(); i++) {
            if ("assistant".equals(messages.get(i).path("role").asText())) {
                last = i;
            }
        }
        if (last < 0) {
            throw new EvaluationException(where + "the conversation has no assistant turn to compare an answer with");
        }
        List<Map<String, Object>> before = new ArrayList<>();
        for (int i = 0; i < last; i++) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = JSON.convertValue(messages.get(i), LinkedHashMap.class);
            before.add(m);
        }
        String rendered;
        try {
            rendered = tokenizer.applyChatTemplate(before, true);
        } catch (RuntimeException e) {
            throw new EvaluationException(where + e.getMessage(), e);
        }
        return new Prompt(rendered, tokenizer.encode(rendered, false),
                text(messages.get(last).get("content"), where + "the last assistant turn's 'content'"));
    }

    private static String text(JsonNode node, String what) {
        if (node == null || !node.isTextual()) {
            throw new EvaluationException(what + " must be a string");
        }
        return node.asText();
    }

    /** Generates and scores the answers, row by row, keeping the sums for the means. */
    private final class Answers {
        private final Path file;
        private final Set<Metric> metrics;
        private final EvaluationOptions options;
        private final Map<Metric, Double> sums = new LinkedHashMap<>();
        private final List<EvaluationSample> samples = new ArrayList<>();
        private int count;
        private int invalid;
        private long promptTokens;
        private long generatedTokens;
        private long truncatedPrompts;

        Answers(Path file, Set<Metric> metrics, EvaluationOptions options) {
            this.file = file;
            this.metrics = metrics;
            this.options = options;
        }

        void add(int line, Prompt prompt, String adapter, int maxPrompt) {
            long[] ids = prompt.ids;
            if (ids.length > maxPrompt) {
                ids = Arrays.copyOfRange(ids, ids.length - maxPrompt, ids.length);
                truncatedPrompts++;
            }
            // A seed per row (not per position in the selection): the same row gets the same sample in any run.
            GenerationConfig config = options.generation().toBuilder()
                    .seed(options.generation().seed() * 31 + line).build();
            Generation g = generator.generate(ids, adapter, config);
            promptTokens += g.promptTokens();
            generatedTokens += g.generatedTokens();
            Map<String, Double> scores = new LinkedHashMap<>();
            score(scores, Metric.EXACT_MATCH, ExactMatch.normalized(g.text(), prompt.reference));
            score(scores, Metric.EXACT_MATCH_STRICT, ExactMatch.strict(g.text(), prompt.reference));
            score(scores, Metric.TOKEN_F1, TokenF1.score(g.text(), prompt.reference));
            if (metrics.contains(Metric.ACCURACY)) {
                LabelSet labels = options.labels();
                String expected = labels.classify(prompt.reference).orElseThrow(() -> new EvaluationException(
                        file + ":" + line + ": the reference '" + prompt.reference + "' is none of the labels "
                                + labels.labels()));
                String predicted = labels.classify(g.text()).orElse(null);
                if (predicted == null) {
                    invalid++;
                }
                score(scores, Metric.ACCURACY, expected.equals(predicted) ? 1.0 : 0.0);
            }
            count++;
            if (samples.size() < options.samples()) {
                samples.add(new EvaluationSample(line, prompt.text, prompt.reference, g.text(), g.finishReason(),
                        scores));
            }
        }

        private void score(Map<String, Double> scores, Metric metric, double value) {
            if (metrics.contains(metric)) {
                scores.put(metric.key(), value);
                sums.merge(metric, value, Double::sum);
            }
        }

        Map<String, Double> means() {
            Map<String, Double> out = new LinkedHashMap<>();
            sums.forEach((m, sum) -> out.put(m.key(), count == 0 ? Double.NaN : sum / count));
            if (metrics.contains(Metric.ACCURACY)) {
                out.put(Metric.INVALID_PREDICTIONS, (double) invalid);
            }
            return out;
        }
    }

    private static void putIfAsked(Map<String, Double> values, Set<Metric> metrics, Metric metric, double value) {
        if (metrics.contains(metric)) {
            values.put(metric.key(), value);
        }
    }

    /** Metric order, then the extra keys. */
    private static Map<String, Double> ordered(Map<String, Double> values) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            if (values.containsKey(m.key())) {
                out.put(m.key(), values.get(m.key()));
            }
        }
        values.forEach(out::putIfAbsent);
        return out;
    }
}
