package org.lorafoundry.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lorafoundry.engine.EngineRuntime;

/**
 * A model directory's tokenizer: {@code tokenizer.json} through DJL's binding of Hugging Face {@code tokenizers} (the
 * same Rust library transformers' fast tokenizers use, so ids match), plus {@code tokenizer_config.json}'s special
 * tokens and chat template. No truncation, no padding: ids are exactly what the tokenizer's post-processor makes.
 */
public final class HfTokenizer implements AutoCloseable {
    public static final String FILE_NAME = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final ChatTemplate chatTemplate;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, TokenizerConfig config) {
        this.tokenizer = tokenizer;
        this.config = config;
        this.chatTemplate = config.chatTemplate() == null ? null
                : new ChatTemplate(config.chatTemplate(), config.specialTokenVariables());
    }

    /** Loads {@code tokenizer.json} (required) and {@code tokenizer_config.json} / chat template files (optional). */
    public static HfTokenizer load(Path modelDir) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + FILE_NAME + " in " + modelDir + " (only fast tokenizers are supported;"
                    + " convert a slow one with transformers: AutoTokenizer.from_pretrained(...).save_pretrained(...))");
        }
        TokenizerConfig config = TokenizerConfig.load(modelDir);
        EngineRuntime.configureDefaults();
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "false",
                "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        try (InputStream in = Files.newInputStream(file)) {
            return new HfTokenizer(HuggingFaceTokenizer.newInstance(in, options), config);
        }
    }

    /** Token ids with the post-processor's special tokens (e.g. BOS), as transformers' {@code tokenizer(text)}. */
    public long[] encode(String text) {
        return encode(text, true);
    }

    public long[] encode(String text, boolean addSpecialTokens) {
        Encoding e = tokenizer.encode(text, addSpecialTokens, false);
        return e.getIds();
    }

    /** Token strings of an encoding (for debugging). */
    public String[] tokens(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getTokens();
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    public TokenizerConfig config() {
        return config;
    }

    public Optional<ChatTemplate> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    /**
     * transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}.
     *
     * @throws ChatTemplateException when the model has no chat template, or it fails
     */
    public String applyChatTemplate(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        if (chatTemplate == null) {
            throw new ChatTemplateException("this tokenizer has no chat template (no chat_template in "
                    + TokenizerConfig.FILE_NAME + ", no " + TokenizerConfig.TEMPLATE_FILE + ")");
        }
        return chatTemplate.render(messages, addGenerationPrompt);
    }

    /** The rendered chat, tokenized without adding special tokens again (the template writes them), as transformers. */
    public long[] encodeChat(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return encode(applyChatTemplate(messages, addGenerationPrompt), false);
    }

    /** The underlying DJL tokenizer. */
    public HuggingFaceTokenizer delegate() {
        return tokenizer;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
