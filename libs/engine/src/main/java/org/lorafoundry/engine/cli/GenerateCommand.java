package org.lorafoundry.engine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lorafoundry.engine.eval.GenerationConfig;
import org.lorafoundry.engine.eval.Generation;
import org.lorafoundry.engine.eval.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code engine generate}: continue a prompt, or answer a conversation, with the base model or an adapter. */
@Command(name = "generate", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Generate text with a base model, or with a PEFT adapter on it (KV cache; greedy unless "
                + "--temperature > 0).",
            "Prints the generated text; --json also gives the token ids and why generation stopped."},
        footer = {"", "Examples:",
            "  engine generate --base models/llama --adapter runs/dates/adapter \\",
            "      --max-new-tokens 16 --stop '\\n' 'Date 1965-05-10 in words:'",
            "  engine generate --base models/llama \\",
            "      --chat '[{\"role\": \"user\", \"content\": \"Hi\"}]' \\",
            "      --temperature 0.7 --top-p 0.9 --seed 1"})
final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @ParentCommand
    EngineCommand root;

    @Option(names = "--base", paramLabel = "DIR", required = true,
            description = "Hugging Face model directory.")
    Path base;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter directory (default: the base "
            + "model alone).")
    Path adapter;

    @Parameters(paramLabel = "PROMPT", arity = "0..1", description = "Text to continue ('-' reads stdin), tokenized "
            + "with the tokenizer's special tokens (e.g. BOS), as transformers does.")
    String prompt;

    @Option(names = "--chat", paramLabel = "MESSAGES",
            description = "Instead of PROMPT, a conversation to answer: a JSON array of {\"role\", \"content\"} "
                    + "messages, a file holding one, or '-' (stdin). Rendered with the model's chat template and its "
                    + "generation prompt.")
    String chat;

    @Mixin
    GenerationOptions generation;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        run.applyThreads();
        GenerationConfig config = generation.toConfig();
        if ((prompt == null) == (chat == null)) {
            throw new ParameterException(spec.commandLine(), "give a PROMPT or --chat MESSAGES"
                    + (prompt == null ? "" : ", not both"));
        }
        List<Map<String, Object>> messages = chat == null ? null : messages(chat);
        String text = prompt == null ? null : text(prompt);
        EngineConsole console = root.console();
        try (LoadedModel loaded = LoadedModel.open(base, adapter)) {
            Generator generator = Generator.of(loaded.model(), loaded.tokenizer(), base);
            long start = System.nanoTime();
            Generation g = messages != null ? generator.generateChat(messages, loaded.adapter(), config)
                    : generator.generate(text, loaded.adapter(), config);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (run.json) {
                JsonOutput.print(console.out(), Result.of(g, seconds));
            } else {
                console.out().println(g.text());
                console.out().flush();
                if (!run.quiet) {
                    console.err().println(String.format(Locale.ROOT, "[%s after %d tokens, %d prompt tokens, %.1f "
                            + "tokens/s]", g.finishReason(), g.generatedTokens(), g.promptTokens(),
                            g.generatedTokens() / seconds));
                }
            }
        }
        return ExitCode.OK.code();
    }

    private String text(String value) throws IOException {
        return value.equals("-") ? new String(root.console().in().readAllBytes(), StandardCharsets.UTF_8) : value;
    }

    /** {@code --chat}'s value: inline JSON, {@code -}, or a file. */
    private List<Map<String, Object>> messages(String value) throws IOException {
        String json;
        if (value.equals("-")) {
            json = text(value);
        } else if (value.stripLeading().startsWith("[")) {
            json = value;
        } else {
            json = Files.readString(InputPaths.file(Path.of(value), "--chat"));
        }
        List<Map<String, Object>> messages;
        try {
            messages = JSON.readValue(json, new TypeReference<>() { });
        } catch (JsonProcessingException e) {
            throw CliFailure.badInput("--chat must be a JSON array of {\"role\": ..., \"content\": ...} messages: "
                    + e.getOriginalMessage());
        }
        if (messages == null || messages.isEmpty()) {
            throw CliFailure.badInput("--chat holds no messages");
        }
        for (int i = 0; i < messages.size(); i++) {
            Map<String, Object> m = messages.get(i);
            if (m == null || !(m.get("role") instanceof String) || !(m.get("content") instanceof String)) {
                throw CliFailure.badInput("--chat message " + (i + 1) + " needs a string \"role\" and \"content\", "
                        + "got " + m);
            }
        }
        return messages;
    }

    /** {@code --json}: the generation with transformers' vocabulary. */
    record Result(String text, long[] tokenIds, String finishReason, int promptTokens, int generatedTokens,
            double seconds, double tokensPerSecond) {
        static Result of(Generation g, double seconds) {
            return new Result(g.text(), g.tokenIds(), g.finishReason().name(), g.promptTokens(),
                    g.generatedTokens(), seconds, g.generatedTokens() / seconds);
        }
    }
}
