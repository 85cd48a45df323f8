package org.lorafoundry.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.model.Architecture;
import org.lorafoundry.engine.model.KvCache;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * Text generation with a KV cache, for one sequence at a time: the prompt is read in one pass (prefill), then each
 * new token in one pass. The adapter is chosen per call ({@code null}: the base model), as in
 * {@link LoraModel#forward}; calls may run concurrently (each has its own cache).
 *
 * <pre>{@code
 * Generator generator = Generator.of(lora, tokenizer, modelDir);            // EOS ids from the model's files
 * Generation g = generator.generate("Date 1965-05-10 in words:", "dates",
 *         GenerationConfig.builder().maxNewTokens(16).stopSequences("\n").build());
 * g.text(); g.tokenIds(); g.finishReason(); g.generatedTokens();
 * }</pre>
 *
 * <p>Generation ends at the first of: an EOS token ({@link EosTokens}, kept as the last id), a stop sequence in the
 * decoded text (matched on the text of all generated tokens, decoded without special tokens, so it may span tokens;
 * the text is cut before it, the ids keep the token that completed it), {@code maxNewTokens}, or a full context
 * (GPT-2 only). Greedy ids equal transformers' {@code generate(do_sample=False)}; sampling follows transformers'
 * rules with Java's random numbers ({@link TokenSampler}). Every array of a generation, the cache included, is freed
 * when it returns.
 */
public final class Generator {
    private final LoraModel model;
    private final HfTokenizer tokenizer;
    private final EosTokens eos;
    private final int contextLimit;

    public Generator(LoraModel model, HfTokenizer tokenizer, EosTokens eos) {
        this.model = Objects.requireNonNull(model, "model");
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.eos = Objects.requireNonNull(eos, "eos");
        // GPT-2 has a learned position table of n_positions rows; RoPE models have no hard limit (nor in transformers).
        this.contextLimit = model.base().config().architecture() == Architecture.GPT2
                ? model.base().config().maxPositions() : Integer.MAX_VALUE;
    }

    /** A generator whose EOS ids are read from the model directory ({@link EosTokens#read}). */
    public static Generator of(LoraModel model, HfTokenizer tokenizer, Path modelDir) throws IOException {
        return new Generator(model, tokenizer, EosTokens.read(modelDir, tokenizer, model.base().config()));
    }

    public EosTokens eosTokens() {
        return eos;
    }

    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /** Most tokens (prompt + generated) a sequence may have: GPT-2's n_positions, else {@code Integer.MAX_VALUE}. */
    public int contextLimit() {
        return contextLimit;
    }

    /** Continues {@code prompt}, tokenized with the post-processor's special tokens (e.g. BOS), as transformers. */
    public Generation generate(String prompt, String adapter, GenerationConfig config) {
        return generate(tokenizer.encode(prompt, true), adapter, config);
    }

    /** Answers a conversation: the chat template with {@code add_generation_prompt=True}, as transformers. */
    public Generation generateChat(List<? extends Map<String, ?>> messages, String adapter, GenerationConfig config) {
        return generate(tokenizer.encodeChat(messages, true), adapter, config);
    }

    /** Continues the prompt's token ids with the named adapter ({@code null}: the base model). */
    public Generation generate(long[] promptIds, String adapter, GenerationConfig config) {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (promptIds.length >= contextLimit) {
            throw new IllegalArgumentException("a prompt of " + promptIds.length + " tokens leaves no room to generate"
                    + " in the model's context of " + contextLimit + " positions (n_positions)");
        }
        TokenSampler sampler = new TokenSampler(config, config.seed());
        long[] generated = new long[config.maxNewTokens()];
        int n = 0;
        FinishReason reason;
        String text = null;
        try (NDManager scope = model.base().manager().newSubManager(); KvCache cache = model.newKvCache(scope)) {
            float[] logits = lastLogits(scope, promptIds, cache, adapter);
            while (true) {
                long token = sampler.next(logits);
                generated[n++] = token;
                if (eos.contains(token)) {
                    reason = FinishReason.EOS;
                    break;
                }
                if (!config.stopSequences().isEmpty()) {
                    String decoded = tokenizer.decode(Arrays.copyOf(generated, n), true);
                    int cut = firstStop(decoded, config.stopSequences());
                    if (cut >= 0) {
                        text = decoded.substring(0, cut);
                        reason = FinishReason.STOP_SEQUENCE;
                        break;
                    }
                }
                if (n == config.maxNewTokens()) {
                    reason = FinishReason.MAX_TOKENS;
                    break;
                }
                if (promptIds.length + n >= contextLimit) {
                    reason = FinishReason.CONTEXT_FULL;
                    break;
                }
                logits = lastLogits(scope, new long[] {token}, cache, adapter);
            }
        }
        long[] ids = Arrays.copyOf(generated, n);
        if (text == null) {
            text = tokenizer.decode(ids, true);
        }
        return new Generation(text, ids, reason, promptIds.length);
    }

    /** Runs {@code tokens} through the model after what the cache holds; the logits of the last one. */
    private float[] lastLogits(NDManager scope, long[] tokens, KvCache cache, String adapter) {
        try (NDManager step = scope.newSubManager()) {
            NDArray ids = step.create(tokens, new Shape(1, tokens.length));
            NDArray logits = model.forwardWithCache(ids, cache, adapter);
            return logits.get(new NDIndex(":, -1, :")).toFloatArray();
        }
    }

    /** Where the earliest stop sequence starts in {@code text}, or -1. */
    static int firstStop(String text, List<String> stops) {
        int first = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        return first;
    }
}
