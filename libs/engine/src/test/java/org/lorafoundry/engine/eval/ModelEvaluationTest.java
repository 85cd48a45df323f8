package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.data.DataFormat;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.data.JsonlDataset;
import org.lorafoundry.engine.data.TrainingExample;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * The evaluation runner end to end on the llama fixture: answer metrics against references built from the model's own
 * answers (so the expected scores are known), accuracy, selection, progress, cost, errors, reference perplexity.
 */
class ModelEvaluationTest {
    static final Path DATA = Fixtures.root().resolve("evaluation");
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PROMPTS = List.of("Date 1965-05-10 in words:", "The quick brown fox", "Hello, world!",
            "LoRA adapters train a", "Tokenizers split text into");
    static final GenerationConfig ANSWER = GenerationConfig.greedy(6);
    private static NDManager manager;
    private static LoraModel llama;
    private static HfTokenizer tokenizer;
    private static ModelEvaluation evaluation;
    private static Generator generator;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        manager = EngineRuntime.newManager();
        Path dir = Fixtures.model("llama");
        llama = LoraModel.load(dir, manager);
        llama.createAdapter("a", LoraConfig.builder().targetModulesRegex("all-linear").r(4).loraAlpha(8)
                .initLoraWeights("false").build(), 3);
        tokenizer = HfTokenizer.load(dir);
        evaluation = ModelEvaluation.of(llama, tokenizer, dir);
        generator = Generator.of(llama, tokenizer, dir);
    }

    @AfterAll
    static void stop() {
        tokenizer.close();
        llama.close();
        manager.close();
    }

    private String answer(String prompt, String adapter) {
        return generator.generate(prompt, adapter, ANSWER).text();
    }

    private Path jsonl(String name, List<Map<String, Object>> rows) throws Exception {
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> row : rows) {
            out.append(JSON.writeValueAsString(row)).append('\n');
        }
        return Files.writeString(tmp.resolve(name), out);
    }

    @Test
    void theModelsOwnAnswersScoreOneAndOtherAnswersZero() throws Exception {
        List<Map<String, Object>> own = new ArrayList<>();
        List<Map<String, Object>> wrong = new ArrayList<>();
        for (String p : PROMPTS) {
            own.add(Map.of("prompt", p, "completion", answer(p, "a")));
            wrong.add(Map.of("prompt", p, "completion", "zebra quokka"));
        }
        EvaluationOptions options = EvaluationOptions.builder().generation(ANSWER).samples(2).build();
        EvaluationResult right = evaluation.evaluate("a", jsonl("own.jsonl", own), options, EvaluationListener.NONE);
        assertThat(right.metrics()).containsOnlyKeys("loss", "perplexity", "exact_match", "exact_match_strict",
                "token_f1");
        assertThat(right.metric(Metric.EXACT_MATCH)).isEqualTo(1.0);
        assertThat(right.metric(Metric.EXACT_MATCH_STRICT)).isEqualTo(1.0);
        assertThat(right.metric(Metric.TOKEN_F1)).isEqualTo(1.0);
        assertThat(right.examples()).isEqualTo(PROMPTS.size());
        assertThat(right.adapter()).isEqualTo("a");
        assertThat(right.format()).isEqualTo(DataFormat.PROMPT_COMPLETION);
        assertThat(right.samples()).hasSize(2);
        EvaluationSample s = right.samples().get(0);
        assertThat(s.line()).isEqualTo(1);
        assertThat(s.prompt()).isEqualTo(PROMPTS.get(0));
        assertThat(s.generated()).isEqualTo(s.reference());
        assertThat(s.scores()).containsEntry("exact_match", 1.0).containsEntry("token_f1", 1.0);
        // The loss of the model's own greedy answers is low next to that of arbitrary ones.
        EvaluationResult off = evaluation.evaluate("a", jsonl("wrong.jsonl", wrong), options, EvaluationListener.NONE);
        assertThat(off.metric(Metric.EXACT_MATCH)).isEqualTo(0.0);
        assertThat(off.metric(Metric.EXACT_MATCH_STRICT)).isEqualTo(0.0);
        assertThat(off.metric(Metric.TOKEN_F1)).isEqualTo(0.0);
        assertThat(right.metric(Metric.LOSS)).isLessThan(off.metric(Metric.LOSS));
        assertThat(right.metric(Metric.PERPLEXITY)).isEqualTo(Math.exp(right.metric(Metric.LOSS)));
        // The base model answers differently.
        assertThat(evaluation.evaluate(null, jsonl("own.jsonl", own), options, EvaluationListener.NONE)
                .metric(Metric.EXACT_MATCH)).isLessThan(1.0);
    }

    @Test
    void chatRowsAreAnsweredAfterTheMessagesBeforeTheLastAssistantTurn() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String p : PROMPTS.subList(0, 3)) {
            List<Map<String, Object>> before = List.of(Map.of("role", "system", "content", "Be brief."),
                    Map.of("role", "user", "content", p));
            String reply = generator.generateChat(before, null, ANSWER).text();
            List<Map<String, Object>> messages = new ArrayList<>(before);
            messages.add(Map.of("role", "assistant", "content", reply));
            rows.add(Map.of("messages", messages));
        }
        EvaluationResult r = evaluation.evaluate(null, jsonl("chat.jsonl", rows),
                EvaluationOptions.builder().generation(ANSWER).build(), EvaluationListener.NONE);
        assertThat(r.metric(Metric.EXACT_MATCH)).isEqualTo(1.0);
        assertThat(r.samples().get(0).prompt()).isEqualTo(tokenizer.applyChatTemplate(List.of(
                Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", PROMPTS.get(0))),
                true));
    }

    @Test
    void accuracyMapsAnswersToLabelsAndCountsInvalidOnes() throws Exception {
        String a0 = answer(PROMPTS.get(0), null);
        String a1 = answer(PROMPTS.get(1), null);
        String a2 = answer(PROMPTS.get(2), null);
        assertThat(List.of(a0, a1, a2).stream().map(SquadNormalizer::normalize).distinct()
                .filter(t -> !t.isEmpty())).as("three distinct non-empty answers").hasSize(3);
        LabelSet labels = LabelSet.of(a0, a1, "zebra");
        List<Map<String, Object>> rows = List.of(
                Map.of("prompt", PROMPTS.get(0), "completion", a0),       // right
                Map.of("prompt", PROMPTS.get(1), "completion", "Zebra"),  // a label, but not the answer's
                Map.of("prompt", PROMPTS.get(2), "completion", a0));      // the answer is no label: invalid
        EvaluationResult r = evaluation.evaluate(null, jsonl("labels.jsonl", rows), EvaluationOptions.builder()
                .generation(ANSWER).labels(labels).metrics(Metric.ACCURACY).build(), EvaluationListener.NONE);
        assertThat(r.metrics()).containsOnlyKeys("accuracy", "invalid_predictions");
        assertThat(r.metric(Metric.ACCURACY)).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(r.metrics().get(Metric.INVALID_PREDICTIONS)).isEqualTo(1.0);
        assertThat(r.cost().lossTokens()).isZero(); // no loss asked, no loss pass
        List<Map<String, Object>> outside = List.of(Map.of("prompt", PROMPTS.get(0), "completion", "giraffe"));
        Path file = jsonl("outside.jsonl", outside);
        assertThatThrownBy(() -> evaluation.evaluate(null, file, EvaluationOptions.builder().generation(ANSWER)
                .labels(labels).build(), EvaluationListener.NONE)).isInstanceOf(EvaluationException.class)
                .hasMessageContaining("outside.jsonl:1: the reference 'giraffe' is none of the labels");
    }

    @Test
    void rowsAreChosenInASeededOrderAndTheResultDoesNotDependOnTheBatchSize() throws Exception {
        Path file = DATA.resolve("prompt-completion.jsonl");
        JsonlDataset data = JsonlDataset.read(file);
        List<Integer> order = new ArrayList<>(IntStream.range(0, data.size()).boxed().toList());
        Collections.shuffle(order, new Random(17));
        List<Integer> expectedLines = order.subList(0, 4).stream().map(i -> data.rows().get(i).line()).toList();
        EvaluationResult one = evaluation.evaluate("a", data, EvaluationOptions.builder().maxExamples(4).shuffle(17)
                .generation(ANSWER).batchSize(1).samples(10).build(), EvaluationListener.NONE);
        EvaluationResult many = evaluation.evaluate("a", data, EvaluationOptions.builder().maxExamples(4).shuffle(17)
                .generation(ANSWER).batchSize(3).samples(10).build(), EvaluationListener.NONE);
        assertThat(one.samples().stream().map(EvaluationSample::line).toList()).isEqualTo(expectedLines);
        assertThat(many.samples()).isEqualTo(one.samples());
        assertThat(many.metric(Metric.LOSS)).isCloseTo(one.metric(Metric.LOSS), within(1e-6));
        assertThat(many.metrics().keySet()).isEqualTo(one.metrics().keySet());
        // Blank line 4 is skipped: lines are the file's.
        assertThat(data.rows().stream().map(JsonlDataset.Row::line)).doesNotContain(4);
        EvaluationResult other = evaluation.evaluate("a", data, EvaluationOptions.builder().maxExamples(4).shuffle(18)
                .generation(ANSWER).build(), EvaluationListener.NONE);
        assertThat(other.samples().stream().map(EvaluationSample::line).toList()).isNotEqualTo(expectedLines);
    }

    @Test
    void progressCostAndTruncationAreReported() throws Exception {
        JsonlDataset data = JsonlDataset.read(DATA.resolve("prompt-completion.jsonl"));
        List<EvaluationProgress> events = new ArrayList<>();
        EvaluationResult r = evaluation.evaluate(null, data, EvaluationOptions.builder().generation(ANSWER)
                .batchSize(4).build(), events::add);
        int n = data.size();
        assertThat(events).containsExactly(
                new EvaluationProgress(EvaluationProgress.Phase.LOSS, 4, n),
                new EvaluationProgress(EvaluationProgress.Phase.LOSS, n, n),
                new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 1, n),
                new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 2, n),
                new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 3, n),
                new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 4, n),
                new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 5, n),
                new EvaluationProgress(EvaluationProgress.Phase.GENERATION, 6, n));
        List<TrainingExample> encoded = data.encode(new ExampleEncoder(tokenizer, 1024));
        long promptTokens = data.rows().stream()
                .mapToLong(row -> tokenizer.encode(row.value().get("prompt").asText(), true).length).sum();
        assertThat(r.cost().lossTokens()).isEqualTo(encoded.stream().mapToLong(TrainingExample::length).sum());
        assertThat(r.cost().promptTokens()).isEqualTo(promptTokens);
        assertThat(r.cost().generatedTokens()).isBetween((long) n, (long) n * ANSWER.maxNewTokens());
        assertThat(r.cost().seconds()).isPositive();
        assertThat(r.truncatedExamples()).isZero();
        assertThat(r.truncatedPrompts()).isZero();

        // Prompts longer than maxSeqLength keep their last tokens; loss examples are cut at the right.
        EvaluationResult cutPrompts = evaluation.evaluate(null, data, EvaluationOptions.builder().generation(ANSWER)
                .metrics(Metric.EXACT_MATCH).maxSeqLength(4).build(), EvaluationListener.NONE);
        assertThat(cutPrompts.truncatedPrompts()).isEqualTo(n);
        assertThat(cutPrompts.cost().promptTokens()).isEqualTo(4L * n);
        JsonlDataset text = JsonlDataset.read(DATA.resolve("text.jsonl"));
        EvaluationResult cutText = evaluation.evaluate(null, text, EvaluationOptions.builder().maxSeqLength(8)
                .build(), EvaluationListener.NONE);
        assertThat(cutText.truncatedExamples()).isEqualTo(text.size());
        assertThat(cutText.cost().lossTokens()).isEqualTo(8L * text.size());
        // Cut so short that no completion token is left: no loss to report, and the error says why.
        assertThatThrownBy(() -> evaluation.evaluate(null, data, EvaluationOptions.builder().maxSeqLength(6)
                .metrics(Metric.LOSS).build(), EvaluationListener.NONE)).isInstanceOf(EvaluationException.class)
                .hasMessageContaining("have no label tokens");
    }

    @Test
    void nothingIsLeftBehindInTheModelsManager() throws Exception {
        int before = manager.getManagedArrays().size();
        evaluation.evaluate("a", DATA.resolve("chat.jsonl"), EvaluationOptions.builder().generation(ANSWER).build(),
                EvaluationListener.NONE);
        evaluation.referencePerplexity(null, DATA.resolve("text.jsonl"), 0, 64);
        assertThat(manager.getManagedArrays()).hasSize(before);
    }

    @Test
    void referencePerplexityIsTheTextLossWithTheAdapterOnOrOff() throws Exception {
        Path text = DATA.resolve("text.jsonl");
        ReferencePerplexity base = evaluation.referencePerplexity(null, text, 3, 1024);
        ReferencePerplexity adapted = evaluation.referencePerplexity("a", text, 3, 1024);
        assertThat(base.examples()).isEqualTo(3);
        assertThat(base.adapter()).isNull();
        EvaluationResult r = evaluation.evaluate(null, text, EvaluationOptions.builder().maxExamples(3).build(),
                EvaluationListener.NONE);
        // Text rows: loss and perplexity only, and the same numbers as the reference perplexity.
        assertThat(r.metrics()).containsOnlyKeys("loss", "perplexity");
        assertThat(base.loss()).isCloseTo(r.metric(Metric.LOSS), within(1e-9));
        assertThat(base.perplexity()).isEqualTo(Math.exp(base.loss()));
        List<TrainingExample> encoded = JsonlDataset.read(text).encode(new ExampleEncoder(tokenizer, 1024));
        assertThat(base.tokens()).isEqualTo(encoded.subList(0, 3).stream().mapToLong(e -> e.length() - 1).sum());
        assertThat(adapted.perplexity()).isNotEqualTo(base.perplexity());
        assertThat(adapted.relativeChangeFrom(base)).isEqualTo(adapted.perplexity() / base.perplexity() - 1);
        assertThatThrownBy(() -> evaluation.referencePerplexity(null, DATA.resolve("chat.jsonl"), 0, 64))
                .isInstanceOf(EvaluationException.class).hasMessageContaining("general text");
    }

    @Test
    void metricsThatDoNotApplyAndRowsWithoutAnAnswerAreRefusedWithReasons() throws Exception {
        Path text = DATA.resolve("text.jsonl");
        assertThatThrownBy(() -> evaluation.evaluate(null, text, EvaluationOptions.builder()
                .metrics(Metric.EXACT_MATCH).build(), EvaluationListener.NONE))
                .isInstanceOf(EvaluationException.class).hasMessageContaining("exact_match compares generated answers")
                .hasMessageContaining("text rows");
        Path pc = DATA.resolve("prompt-completion.jsonl");
        assertThatThrownBy(() -> evaluation.evaluate(null, pc, EvaluationOptions.builder()
                .metrics(Metric.ACCURACY).build(), EvaluationListener.NONE))
                .isInstanceOf(EvaluationException.class).hasMessageContaining("accuracy needs a label set");
        Path noAnswer = jsonl("no-answer.jsonl", List.of(
                Map.of("messages", List.of(Map.of("role", "user", "content", "Hi"),
                        Map.of("role", "assistant", "content", "Hello"))),
                Map.of("messages", List.of(Map.of("role", "user", "content", "Anyone?")))));
        assertThatThrownBy(() -> evaluation.evaluate(null, noAnswer, EvaluationOptions.builder()
                .metrics(Metric.EXACT_MATCH).generation(ANSWER).build(), EvaluationListener.NONE))
                .isInstanceOf(EvaluationException.class)
                .hasMessageContaining("no-answer.jsonl:2: the conversation has no assistant turn");
        assertThatThrownBy(() -> EvaluationOptions.builder().batchSize(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batchSize >= 1");
    }
}
