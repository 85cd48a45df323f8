package org.lorafoundry.engine.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.lorafoundry.engine.tokenizer.ChatTemplate;
import org.lorafoundry.engine.tokenizer.ChatTemplateException;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * Turns rows of the three formats into {@link TrainingExample}s with a tokenizer:
 * <ul>
 *   <li><b>text</b>: {@code encode(text)} with the post-processor's special tokens (e.g. BOS, as
 *   {@code tokenizer.json} says), then the config's {@code eos_token} appended (unless already last or
 *   {@code appendEos} is off); every token has loss.</li>
 *   <li><b>prompt/completion</b>: {@code encode(prompt)} (with the post-processor's BOS) followed by
 *   {@code encode(completion, false)} and EOS; the prompt's tokens are -100, the completion and EOS learned. The two
 *   parts are tokenized separately, so no token straddles the boundary.</li>
 *   <li><b>chat</b>: the chat template rendered (Jinjava, {@link ChatTemplate}) and tokenized without adding special
 *   tokens (the template writes them). Assistant turn {@code i}'s span is found by rendering prefixes:
 *   {@code render(messages[:i], add_generation_prompt=true)} up to {@code render(messages[:i+1])}, in tokens, so the
 *   assistant header is not learned but the content and whatever the template closes the turn with (e.g.
 *   {@code <|eot_id|>}) are. A turn with {@code "weight": 0} (OpenAI / PEFT style, 0 or 1) is not learned. The
 *   prefixes' tokens must be a prefix of the whole conversation's tokens, else the row is refused.</li>
 * </ul>
 * Examples longer than {@code maxLength} are cut at the right end and counted ({@link #truncatedCount()}).
 * Thread-safe if the tokenizer is.
 */
public final class ExampleEncoder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HfTokenizer tokenizer;
    private final int maxLength;
    private final boolean appendEos;
    private final Long eosId;
    private final AtomicLong encoded = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong truncatedTokens = new AtomicLong();

    public ExampleEncoder(HfTokenizer tokenizer, int maxLength) {
        this(tokenizer, maxLength, true);
    }

    /**
     * @param maxLength longest example in tokens (longer ones are truncated)
     * @param appendEos append the config's {@code eos_token} to text rows and completions
     */
    public ExampleEncoder(HfTokenizer tokenizer, int maxLength, boolean appendEos) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        }
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.appendEos = appendEos;
        String eos = tokenizer.config().eosToken();
        this.eosId = eos == null ? null : tokenId(tokenizer, eos);
    }

    /** The id of a single (special) token, e.g. the config's {@code eos_token} or {@code pad_token}. */
    public static long tokenId(HfTokenizer tokenizer, String token) {
        long[] ids = tokenizer.encode(token, false);
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + token + "' is not a single token of this tokenizer (it encodes to "
                    + Arrays.toString(ids) + ")");
        }
        return ids[0];
    }

    /**
     * The pad id: the config's {@code pad_token}, else its {@code eos_token} (what transformers' recipes do), else 0.
     * Padded positions are masked and never learned, so the value does not change the loss.
     */
    public static long padId(HfTokenizer tokenizer) {
        String pad = tokenizer.config().padToken() != null ? tokenizer.config().padToken() : tokenizer.config().eosToken();
        return pad == null ? 0 : tokenId(tokenizer, pad);
    }

    public int maxLength() {
        return maxLength;
    }

    /** Examples encoded so far. */
    public long encodedCount() {
        return encoded.get();
    }

    /** Examples that were longer than {@code maxLength} and cut. */
    public long truncatedCount() {
        return truncated.get();
    }

    /** Tokens dropped by truncation. */
    public long truncatedTokens() {
        return truncatedTokens.get();
    }

    /** A row of any format (see {@link DataFormat#detect}). */
    public TrainingExample encode(JsonNode row) {
        DataFormat format = DataFormat.detect(row);
        if (format == null) {
            throw new DatasetException("row has none of 'messages', 'prompt' + 'completion', 'text'");
        }
        return encode(format, row);
    }

    public TrainingExample encode(DataFormat format, JsonNode row) {
        switch (format) {
            case TEXT:
                return encodeText(text(row, "text"));
            case PROMPT_COMPLETION:
                return encodePromptCompletion(text(row, "prompt"), text(row, "completion"));
            case CHAT:
                JsonNode messages = row.get("messages");
                if (messages == null || !messages.isArray() || messages.isEmpty()) {
                    throw new DatasetException("'messages' must be a non-empty array");
                }
                List<Map<String, Object>> list = new ArrayList<>();
                for (int i = 0; i < messages.size(); i++) {
                    JsonNode m = messages.get(i);
                    if (!m.isObject() || !m.hasNonNull("role") || !m.get("role").isTextual()) {
                        throw new DatasetException("message " + i + " must be an object with a string 'role'");
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = JSON.convertValue(m, LinkedHashMap.class);
                    list.add(map);
                }
                return encodeChat(list);
            default:
                throw new IllegalStateException(format.name());
        }
    }

    private static String text(JsonNode row, String key) {
        JsonNode n = row.get(key);
        if (n == null || !n.isTextual()) {
            throw new DatasetException("'" + key + "' must be a string");
        }
        return n.asText();
    }

    public TrainingExample encodeText(String text) {
        long[] ids = withEos(tokenizer.encode(text, true));
        return finish(ids, ids.clone());
    }

    public TrainingExample encodePromptCompletion(String prompt, String completion) {
        long[] p = tokenizer.encode(prompt, true);
        long[] c = withEos(tokenizer.encode(completion, false));
        long[] ids = concat(p, c);
        long[] labels = ids.clone();
        Arrays.fill(labels, 0, p.length, TrainingBatch.IGNORE_INDEX);
        return finish(ids, labels);
    }

    /**
     * A conversation; each message a map with {@code role}, {@code content} and optionally {@code weight} (0 or 1,
     * assistant turns only matter: any other role is never learned).
     */
    public TrainingExample encodeChat(List<? extends Map<String, ?>> messages) {
        ChatTemplate template = tokenizer.chatTemplate().orElseThrow(() -> new DatasetException(
                "chat rows need a chat template, and this tokenizer has none"));
        String full = template.render(messages, false);
        long[] ids = tokenizer.encode(full, false);
        long[] labels = new long[ids.length];
        Arrays.fill(labels, TrainingBatch.IGNORE_INDEX);
        for (int i = 0; i < messages.size(); i++) {
            Map<String, ?> m = messages.get(i);
            if (!"assistant".equals(m.get("role")) || weight(m, i) == 0) {
                continue;
            }
            int start = prefixTokens(template, messages.subList(0, i), full, ids, i);
            String upTo = template.render(messages.subList(0, i + 1), false);
            int end = checkedPrefix(upTo, full, ids, i);
            for (int t = start; t < end; t++) {
                labels[t] = ids[t];
            }
        }
        return finish(ids, labels);
    }

    private static int weight(Map<String, ?> message, int index) {
        Object w = message.get("weight");
        if (w == null) {
            return 1;
        }
        if (w instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 1)) {
            return n.intValue();
        }
        throw new DatasetException("message " + index + ": 'weight' must be 0 or 1, got " + w);
    }

    /** Tokens before assistant turn {@code i}'s content: the prefix rendered with the generation prompt if it fits. */
    private int prefixTokens(ChatTemplate template, List<? extends Map<String, ?>> prefix, String full, long[] ids,
            int turn) {
        if (prefix.isEmpty()) {
            // Templates may index messages[0]; an empty conversation may not render.
            try {
                String withPrompt = template.render(prefix, true);
                if (full.startsWith(withPrompt)) {
                    return checkedPrefix(withPrompt, full, ids, turn);
                }
            } catch (ChatTemplateException e) {
                return 0;
            }
            return 0;
        }
        String withPrompt = template.render(prefix, true);
        if (full.startsWith(withPrompt)) {
            return checkedPrefix(withPrompt, full, ids, turn);
        }
        return checkedPrefix(template.render(prefix, false), full, ids, turn);
    }

    private int checkedPrefix(String prefix, String full, long[] ids, int turn) {
        if (!full.startsWith(prefix)) {
            throw new DatasetException("assistant turn " + turn + ": the chat template does not render the conversation"
                    + " as a continuation of its prefix, so the turn's tokens cannot be located");
        }
        long[] p = tokenizer.encode(prefix, false);
        if (p.length > ids.length || !Arrays.equals(p, 0, p.length, ids, 0, p.length)) {
            throw new DatasetException("assistant turn " + turn + ": the tokens of the conversation's prefix are not a"
                    + " prefix of its tokens (a token straddles the turn boundary)");
        }
        return p.length;
    }

    private long[] withEos(long[] ids) {
        if (!appendEos || eosId == null || (ids.length > 0 && ids[ids.length - 1] == eosId)) {
            return ids;
        }
        long[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = eosId;
        return out;
    }

    private TrainingExample finish(long[] ids, long[] labels) {
        encoded.incrementAndGet();
        if (ids.length > maxLength) {
            truncated.incrementAndGet();
            truncatedTokens.addAndGet(ids.length - maxLength);
            return new TrainingExample(Arrays.copyOf(ids, maxLength), Arrays.copyOf(labels, maxLength));
        }
        return new TrainingExample(ids, labels);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
