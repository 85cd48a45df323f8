package org.lorafoundry.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.data.JsonlDataset;
import org.lorafoundry.engine.eval.EvaluationOptions;
import org.lorafoundry.engine.eval.Generation;
import org.lorafoundry.engine.eval.GenerationConfig;
import org.lorafoundry.engine.eval.Generator;
import org.lorafoundry.engine.eval.Metric;
import org.lorafoundry.engine.eval.ModelEvaluation;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.lora.ParameterCount;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModelLoader;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * Every {@code engine} subcommand run in-process on the committed tiny fixtures, its results checked against the
 * engine's classes called directly.
 */
class EngineCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LLAMA = Fixtures.model("llama");
    private static final Path ADAPTER = Fixtures.root().resolve("peft/llama-default");
    private static final Path EVAL_DATA = Fixtures.root().resolve("evaluation/prompt-completion.jsonl");
    private static final Path GENERAL_TEXT = Fixtures.root().resolve("evaluation/text.jsonl");
    private static final String PROMPT = "Date 1965-05-10 in words:";

    private static NDManager manager;
    private static LoraModel model;
    private static HfTokenizer tokenizer;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        manager = EngineRuntime.newManager();
        model = LoraModel.load(LLAMA, manager);
        model.loadAdapter("dates", ADAPTER);
        tokenizer = HfTokenizer.load(LLAMA);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
        model.close();
        manager.close();
    }

    private static JsonNode json(CliRun run) throws IOException {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return JSON.readTree(run.out());
    }

    // ----------------------------------------------------------------------------------------------------- inspect

    @Test
    void inspectShowsAModel() throws IOException {
        JsonNode m = json(CliRun.run("inspect", LLAMA.toString(), "--json"));
        assertThat(m.path("model_type").asText()).isEqualTo("llama");
        assertThat(m.path("parameters").asLong()).isEqualTo(model.base().parameterCount());
        List<String> names = new ArrayList<>();
        m.path("linear_modules").forEach(l -> names.add(l.path("name").asText()));
        assertThat(names).containsExactlyElementsOf(model.base().modules().names());
        assertThat(m.path("config").path("num_kv_heads").asInt()).isEqualTo(model.base().config().numKvHeads());
        assertThat(m.path("tokenizer").path("chat_template").asBoolean()).isTrue();
        assertThat(m.path("default_lora_targets")).extracting(JsonNode::asText).containsExactly("q_proj", "v_proj");

        CliRun text = CliRun.run("inspect", LLAMA.toString());
        assertThat(text.out()).contains("llama, 42,144 parameters", "q_proj x2", "lm_head", "tokenizer: BPE");
    }

    @Test
    void inspectShowsAnAdapterWithPeftsCountsOnItsBase() throws IOException {
        JsonNode a = json(CliRun.run("inspect", ADAPTER.toString(), "--base", LLAMA.toString(), "--json"));
        ParameterCount expected = model.parameterCount("dates");
        assertThat(a.path("parameter_count").path("trainable").asLong()).isEqualTo(expected.trainable());
        assertThat(a.path("parameter_count").path("total").asLong()).isEqualTo(expected.total());
        assertThat(a.path("config").path("r").asInt()).isEqualTo(8);
        assertThat(a.path("config").path("lora_alpha").asDouble()).isEqualTo(16);
        assertThat(a.path("modules")).extracting(n -> n.path("name").asText())
                .containsExactlyElementsOf(model.adapter("dates").layers().keySet());
        assertThat(a.path("parameters_in_file").asLong()).isEqualTo(expected.trainable());
    }

    @Test
    void inspectShowsASafetensorsFile() throws IOException {
        Path file = LLAMA.resolve("model.safetensors");
        JsonNode t = json(CliRun.run("inspect", file.toString(), "--json"));
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            assertThat(t.path("tensors")).extracting(n -> n.path("name").asText())
                    .containsExactlyElementsOf(reader.names());
        }
        assertThat(t.path("parameters").asLong()).isEqualTo(model.base().parameterCount());
    }

    // ------------------------------------------------------------------------------------------------------ train

    /** Cancels before the step after checkpoint {@code step} (as a Ctrl-C would, between steps). */
    private static CancelSignal cancelAfterCheckpoint(Path output, int step) {
        return onRequest -> new CancelSignal.Watch() {
            @Override
            public boolean getAsBoolean() {
                return Files.isDirectory(output.resolve("checkpoints/checkpoint-" + step));
            }

            @Override
            public void close() {
            }
        };
    }

    private List<String> trainArgs(Path output, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("train", "--base", LLAMA.toString(),
                "--train", dates("train.jsonl", 24, 1).toString(), "--validation", dates("valid.jsonl", 6, 2)
                        .toString(), "--output", output.toString(), "--r", "4", "--lora-alpha", "8",
                "--lora-dropout", "0.1", "--target-modules", "q_proj,v_proj,o_proj", "--lr", "1e-2",
                "--max-steps", "6", "--batch-size", "4", "--max-seq-length", "48", "--warmup-steps", "1",
                "--eval-every", "3", "--checkpoint-every", "2", "--seed", "7"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void trainIsCancelledAtACheckpointAndResumesExactly() throws IOException {
        Path output = tmp.resolve("run");
        CliRun cancelled = CliRun.run(cancelAfterCheckpoint(output, 2), "",
                trainArgs(output).toArray(String[]::new));
        assertThat(cancelled.exitCode()).as(cancelled.toString()).isEqualTo(ExitCode.CANCELLED.code());
        assertThat(cancelled.err()).contains("cancelled at step 2 of 6", "checkpoint-2",
                "the same command with --resume latest");
        assertThat(output.resolve("adapter")).doesNotExist();

        CliRun again = CliRun.run(trainArgs(output).toArray(String[]::new));
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(again.err()).contains("error: OUTPUT_NOT_EMPTY:", "--resume latest", "--overwrite-output-dir");

        JsonNode resumed = json(CliRun.run(trainArgs(output, "--resume", "latest", "--json").toArray(String[]::new)));
        assertThat(resumed.path("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(resumed.path("resumed_from_step").asInt()).isEqualTo(2);
        assertThat(resumed.path("steps").asInt()).isEqualTo(6);
        assertThat(resumed.path("loss_curve")).hasSize(6);
        assertThat(resumed.path("metrics").has("validation_loss")).isTrue();
        Path adapter = Path.of(resumed.path("adapter").asText());
        assertThat(adapter).isEqualTo(output.resolve("adapter"));
        assertThat(adapter.resolve("adapter_model.safetensors")).isRegularFile();

        // The same run without the interruption: the resumed adapter is the same to the bit.
        Path straight = tmp.resolve("straight");
        CliRun uninterrupted = CliRun.run(trainArgs(straight, "--quiet").toArray(String[]::new));
        assertThat(uninterrupted.exitCode()).as(uninterrupted.toString()).isZero();
        assertThat(uninterrupted.err()).isEmpty();
        assertThat(uninterrupted.out()).contains("adapter: " + straight.resolve("adapter"), "train_loss",
                "trainable params:");
        assertSameTensors(adapter.resolve("adapter_model.safetensors"),
                straight.resolve("adapter/adapter_model.safetensors"));
    }

    @Test
    void trainWithoutATerminalPrintsPlainProgressLinesAndThePlan() throws IOException {
        Path output = tmp.resolve("plain");
        CliRun run = CliRun.run(trainArgs(output, "--log-every", "2", "--overwrite-output-dir")
                .toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("data: 24 training examples", "LoRA: r=4 alpha=8",
                "plan: 6 steps, warmup 1", "step 2/6", "step 3/6", "val ", "saved " + output.resolve(
                        "checkpoints/checkpoint-4"), "100%  step 6/6").doesNotContain("\r");
        CliRun none = CliRun.run(trainArgs(tmp.resolve("none"), "--resume", "latest").toArray(String[]::new));
        assertThat(none.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(none.err()).contains("--resume latest: no checkpoint under");
    }

    private static void assertSameTensors(Path a, Path b) throws IOException {
        try (SafetensorsReader ra = SafetensorsReader.open(a); SafetensorsReader rb = SafetensorsReader.open(b)) {
            assertThat(ra.names()).isEqualTo(rb.names());
            for (String name : ra.names()) {
                assertThat(ra.tensor(name).toFloatArray()).as(name).containsExactly(rb.tensor(name).toFloatArray());
            }
        }
    }

    // --------------------------------------------------------------------------------------------------- generate

    @Test
    void generateGivesWhatTheGeneratorGives() throws IOException {
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(12).build();
        Generation expected = Generator.of(model, tokenizer, LLAMA).generate(PROMPT, "dates", config);
        JsonNode g = json(CliRun.run("generate", "--base", LLAMA.toString(), "--adapter", ADAPTER.toString(),
                "--max-new-tokens", "12", "--json", PROMPT));
        assertThat(g.path("token_ids")).extracting(JsonNode::asLong)
                .containsExactly(box(expected.tokenIds()));
        assertThat(g.path("text").asText()).isEqualTo(expected.text());
        assertThat(g.path("finish_reason").asText()).isEqualTo(expected.finishReason().name());

        CliRun plain = CliRun.run("generate", "--base", LLAMA.toString(), "--adapter", ADAPTER.toString(),
                "--max-new-tokens", "12", PROMPT);
        assertThat(plain.out()).isEqualTo(expected.text() + System.lineSeparator());
        assertThat(plain.err()).contains(expected.finishReason().name() + " after 12 tokens");

        // Without the adapter: the base model's answer, which differs.
        Generation base = Generator.of(model, tokenizer, LLAMA).generate(PROMPT, null, config);
        assertThat(base.tokenIds()).isNotEqualTo(expected.tokenIds());
        JsonNode b = json(CliRun.run("generate", "--base", LLAMA.toString(), "--max-new-tokens", "12", "--json",
                PROMPT));
        assertThat(b.path("token_ids")).extracting(JsonNode::asLong).containsExactly(box(base.tokenIds()));
    }

    @Test
    void generateAnswersAConversationFromStdin() throws IOException {
        List<Map<String, String>> messages = List.of(Map.of("role", "user", "content", "Hello, world!"));
        Generation expected = Generator.of(model, tokenizer, LLAMA).generateChat(messages, "dates",
                GenerationConfig.builder().maxNewTokens(6).temperature(0.8).topK(20).seed(5).build());
        JsonNode g = json(CliRun.run(CancelSignal.none(), JSON.writeValueAsString(messages), "generate", "--base",
                LLAMA.toString(), "--adapter", ADAPTER.toString(), "--chat", "-", "--max-new-tokens", "6",
                "--temperature", "0.8", "--top-k", "20", "--seed", "5", "--json"));
        assertThat(g.path("token_ids")).extracting(JsonNode::asLong).containsExactly(box(expected.tokenIds()));
        assertThat(g.path("prompt_tokens").asInt()).isEqualTo(expected.promptTokens());
    }

    private static Long[] box(long[] ids) {
        return Arrays.stream(ids).boxed().toArray(Long[]::new);
    }

    // ------------------------------------------------------------------------------------------------------- eval

    @Test
    void evalReportsLossPerplexityAnswerMetricsAndForgetting() throws IOException {
        JsonNode e = json(CliRun.run("eval", "--base", LLAMA.toString(), "--adapter", ADAPTER.toString(),
                "--data", EVAL_DATA.toString(), "--max-new-tokens", "8", "--reference", GENERAL_TEXT.toString(),
                "--json"));
        JsonNode metrics = e.path("metrics");
        ModelEvaluation evaluation = ModelEvaluation.of(model, tokenizer, LLAMA);
        double loss = evaluation.evaluate("dates", EVAL_DATA, EvaluationOptions.builder()
                .metrics(Metric.LOSS).build(), p -> { }).metric(Metric.LOSS);
        assertThat(metrics.path("loss").asDouble()).isEqualTo(loss);
        assertThat(metrics.path("perplexity").asDouble()).isCloseTo(Math.exp(loss), within(1e-9 * Math.exp(loss)));
        assertThat(metrics.path("exact_match").asDouble()).isBetween(0.0, 1.0);
        assertThat(metrics.has("exact_match_strict")).isTrue();
        assertThat(metrics.has("token_f1")).isTrue();
        double on = evaluation.referencePerplexity("dates", GENERAL_TEXT, 0, 1024).perplexity();
        double off = evaluation.referencePerplexity(null, GENERAL_TEXT, 0, 1024).perplexity();
        assertThat(metrics.path("reference_perplexity").asDouble()).isEqualTo(on);
        assertThat(metrics.path("base_reference_perplexity").asDouble()).isEqualTo(off);
        assertThat(metrics.path("reference_perplexity_change").asDouble()).isCloseTo(on / off - 1, within(1e-12));
        assertThat(e.path("examples").asInt()).isEqualTo(JsonlDataset.read(EVAL_DATA).size());
        assertThat(e.path("samples")).hasSize(5);

        CliRun text = CliRun.run("eval", "--base", LLAMA.toString(), "--data", GENERAL_TEXT.toString(),
                "--metrics", "exact_match");
        assertThat(text.exitCode()).as(text.toString()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(text.err()).contains("error: EVALUATION_REFUSED: exact_match compares generated answers");
    }

    // ------------------------------------------------------------------------------------------------------ merge

    @Test
    void mergeWritesAModelThatGivesTheAdaptersLogits() throws IOException {
        Path merged = tmp.resolve("merged");
        JsonNode m = json(CliRun.run("merge", "--base", LLAMA.toString(), "--adapter", ADAPTER.toString(),
                "--output", merged.toString(), "--json"));
        assertThat(m.path("files")).extracting(JsonNode::asText).contains("config.json", "model.safetensors",
                "tokenizer.json");
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("merged");
        }
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel plain = ModelLoader.load(merged, scope)) {
            long[] ids = tokenizer.encode(PROMPT, true);
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            float[] fromMerged = plain.forward(input).toFloatArray();
            float[] withAdapter = model.forward(input, null, "dates").toFloatArray();
            float[] baseOnly = model.forward(input, null, null).toFloatArray();
            assertThat(maxAbsDiff(fromMerged, withAdapter)).isLessThan(1e-5);
            assertThat(maxAbsDiff(fromMerged, baseOnly)).isGreaterThan(1e-2);
        }
        CliRun again = CliRun.run("merge", "--base", LLAMA.toString(), "--adapter", ADAPTER.toString(),
                "--output", merged.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(again.err()).contains("error: OUTPUT_EXISTS:", "--overwrite");
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    // ----------------------------------------------------------------------------------------------------- errors

    @Test
    void anUnknownModelTypeIsUnsupported() throws IOException {
        Path mistral = tmp.resolve("mistral");
        Files.createDirectories(mistral);
        try (Stream<Path> files = Files.list(LLAMA)) {
            for (Path f : files.toList()) {
                Files.copy(f, mistral.resolve(f.getFileName()));
            }
        }
        Path config = mistral.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"llama\"", "\"mistral\""));

        CliRun generate = CliRun.run("generate", "--base", mistral.toString(), "Hi");
        assertThat(generate.exitCode()).as(generate.toString()).isEqualTo(ExitCode.UNSUPPORTED.code());
        assertThat(generate.err()).startsWith("error: UNSUPPORTED_CONFIG: unsupported model_type 'mistral'")
                .contains("supported architectures: gpt2, llama, qwen2");

        CliRun train = CliRun.run("train", "--base", mistral.toString(), "--train",
                dates("t.jsonl", 4, 1).toString(), "--output", tmp.resolve("o").toString());
        assertThat(train.exitCode()).as(train.toString()).isEqualTo(ExitCode.UNSUPPORTED.code());
        assertThat(train.err()).contains("error: UNSUPPORTED_CONFIG: unsupported model_type 'mistral'");
    }

    @Test
    void aBadJsonlLineIsBadDataNamingTheLine() throws IOException {
        Path data = Files.writeString(tmp.resolve("bad.jsonl"),
                "{\"prompt\": \"a\", \"completion\": \" b\"}\n{\"prompt\": \"c\", \"completion\": \n");
        CliRun run = CliRun.run("train", "--base", LLAMA.toString(), "--train", data.toString(), "--output",
                tmp.resolve("o").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(run.err().lines().filter(l -> l.startsWith("error: "))).singleElement().asString()
                .startsWith("error: BAD_DATA: ").contains("bad.jsonl:2:");
        assertThat(tmp.resolve("o/adapter")).doesNotExist();

        CliRun missing = CliRun.run("eval", "--base", tmp.resolve("nope").toString(), "--data", data.toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(missing.err()).isEqualTo("error: BAD_INPUT: --base " + tmp.resolve("nope") + " does not exist"
                + System.lineSeparator());
    }

    /** {@code Date 1965-05-10 in words:} -> {@code  May 10, 1965.}: {@code n} rows drawn from {@code seed}. */
    private Path dates(String name, int n, long seed) throws IOException {
        Random rng = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            LocalDate d = LocalDate.of(1950 + rng.nextInt(70), 1 + rng.nextInt(12), 1 + rng.nextInt(28));
            lines.add(JSON.writeValueAsString(Map.of("prompt", "Date " + d + " in words:", "completion", " "
                    + d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + d.getDayOfMonth() + ", "
                    + d.getYear() + ".")));
        }
        Path file = tmp.resolve(name);
        return Files.exists(file) ? file : Files.write(file, lines);
    }
}
