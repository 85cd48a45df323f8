package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.data.JsonlDataset;
import org.lorafoundry.engine.data.TrainingExample;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * Evaluation loss against transformers' loss on the same rows (the output of {@code scripts/eval_loss_oracle.py}),
 * shared by the committed-fixture test and the live IT.
 */
final class LossParity {
    /** Relative tolerance of the loss against transformers'. */
    static final double TOLERANCE = 1e-5;
    /** Batch sizes the loss must not depend on (beyond float rounding). */
    static final int[] BATCH_SIZES = {1, 4, 64};

    private LossParity() {
    }

    static List<String> caseNames(Path reference) {
        List<String> names = new ArrayList<>();
        Fixtures.json(reference).get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    static JsonNode find(Path reference, String name) {
        for (JsonNode c : Fixtures.json(reference).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no case " + name + " in " + reference);
    }

    record Outcome(String name, double loss, double reference, double relativeDiff, double batchSpread) {
        @Override
        public String toString() {
            return String.format("%-34s loss %.6f vs transformers %.6f: rel diff %.1e; spread over batch sizes %.1e",
                    name, loss, reference, relativeDiff, batchSpread);
        }
    }

    /**
     * The engine encodes the dataset's rows to the oracle's ids and labels, and {@link ModelEvaluation}'s loss (at
     * several batch sizes) equals transformers' loss, perplexity its exp.
     */
    static Outcome check(Path fixtures, Path data, JsonNode c, NDManager manager) throws Exception {
        String name = c.get("name").asText();
        Path dir = fixtures.resolve(c.get("model").asText());
        String adapter = c.get("adapter").isNull() ? null : c.get("adapter").asText();
        JsonlDataset dataset = JsonlDataset.read(data.resolve(c.get("dataset").asText()));
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(dir, scope);
                HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            if (adapter != null) {
                lora.loadAdapter(adapter, fixtures.resolve("peft").resolve(adapter));
            }
            int maxLength = c.get("max_length").isNull() ? 1024 : c.get("max_length").asInt();
            ExampleEncoder encoder = new ExampleEncoder(tokenizer, maxLength);
            List<TrainingExample> examples = dataset.encode(encoder);
            JsonNode expected = c.get("examples");
            assertThat(examples).hasSize(expected.size());
            for (int i = 0; i < examples.size(); i++) {
                assertThat(examples.get(i).inputIds()).as("%s row %d ids", name, i)
                        .containsExactly(Fixtures.longs(expected.get(i).get("input_ids")));
                assertThat(examples.get(i).labels()).as("%s row %d labels", name, i)
                        .containsExactly(Fixtures.longs(expected.get(i).get("labels")));
            }
            assertThat(encoder.truncatedCount()).isEqualTo(c.get("truncated").asLong());

            ModelEvaluation evaluation = ModelEvaluation.of(lora, tokenizer, dir);
            double reference = c.get("loss").asDouble();
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double first = Double.NaN;
            for (int batchSize : BATCH_SIZES) {
                EvaluationResult r = evaluation.evaluate(adapter, dataset, EvaluationOptions.builder()
                        .metrics(Metric.LOSS, Metric.PERPLEXITY).maxSeqLength(1024).batchSize(batchSize).build(),
                        EvaluationListener.NONE);
                double loss = r.metric(Metric.LOSS);
                assertThat(r.metric(Metric.PERPLEXITY)).isEqualTo(Math.exp(loss));
                assertThat(r.truncatedExamples()).isEqualTo(c.get("truncated").asLong());
                min = Math.min(min, loss);
                max = Math.max(max, loss);
                if (Double.isNaN(first)) {
                    first = loss;
                }
            }
            double relative = Math.abs(first - reference) / reference;
            assertThat(relative).as("%s: |loss - transformers'| / transformers'", name).isLessThanOrEqualTo(TOLERANCE);
            assertThat((max - min) / reference).as("%s: loss spread over batch sizes", name).isLessThan(1e-6);
            return new Outcome(name, first, reference, relative, (max - min) / reference);
        }
    }
}
