package org.lorafoundry.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the engine needs from {@code tokenizer_config.json} (and, as transformers 5 writes it, {@code chat_template.jinja}
 * beside it): special tokens and the chat template.
 *
 * @param bosToken {@code bos_token} or null
 * @param eosToken {@code eos_token} or null
 * @param padToken {@code pad_token} or null
 * @param unkToken {@code unk_token} or null
 * @param chatTemplate the default chat template source, or null when the model has none
 * @param namedTemplates every template by name (older checkpoints carry a list of {@code {name, template}})
 */
public record TokenizerConfig(String bosToken, String eosToken, String padToken, String unkToken, String chatTemplate,
        Map<String, String> namedTemplates) {

    public static final String FILE_NAME = "tokenizer_config.json";
    public static final String TEMPLATE_FILE = "chat_template.jinja";
    public static final String TEMPLATE_JSON_FILE = "chat_template.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No special tokens, no template. */
    public static TokenizerConfig empty() {
        return new TokenizerConfig(null, null, null, null, null, Map.of());
    }

    /** Reads a model directory's tokenizer_config.json (optional) and chat_template.jinja / .json (optional). */
    public static TokenizerConfig load(Path modelDir) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        JsonNode root = null;
        if (Files.isRegularFile(file)) {
            try {
                root = JSON.readTree(Files.readString(file));
            } catch (JsonProcessingException e) {
                throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
        Map<String, String> named = new LinkedHashMap<>();
        String template = null;
        if (root != null) {
            template = templates(root.get("chat_template"), named);
        }
        // transformers >= 4.50 writes the template to its own file, which then takes precedence.
        Path jinja = modelDir.resolve(TEMPLATE_FILE);
        Path json = modelDir.resolve(TEMPLATE_JSON_FILE);
        if (Files.isRegularFile(jinja)) {
            template = Files.readString(jinja);
            named.put("default", template);
        } else if (Files.isRegularFile(json)) {
            JsonNode t = JSON.readTree(Files.readString(json));
            String fromJson = templates(t == null ? null : t.get("chat_template"), named);
            if (fromJson != null) {
                template = fromJson;
            }
        }
        if (root == null) {
            return new TokenizerConfig(null, null, null, null, template, Map.copyOf(named));
        }
        return new TokenizerConfig(token(root, "bos_token"), token(root, "eos_token"), token(root, "pad_token"),
                token(root, "unk_token"), template, Map.copyOf(named));
    }

    private static String templates(JsonNode node, Map<String, String> named) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            named.put("default", node.asText());
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode t : node) {
                if (t.hasNonNull("name") && t.hasNonNull("template")) {
                    named.put(t.get("name").asText(), t.get("template").asText());
                }
            }
            return named.get("default");
        }
        return null;
    }

    /** A special token is a string or an AddedToken object {@code {"content": ...}}. */
    private static String token(JsonNode root, String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.hasNonNull("content")) {
            return n.get("content").asText();
        }
        return null;
    }

    /** The special tokens as template variables ({@code bos_token}, {@code eos_token}, ...), skipping absent ones. */
    public Map<String, Object> specialTokenVariables() {
        Map<String, Object> vars = new LinkedHashMap<>();
        put(vars, "bos_token", bosToken);
        put(vars, "eos_token", eosToken);
        put(vars, "pad_token", padToken);
        put(vars, "unk_token", unkToken);
        return vars;
    }

    private static void put(Map<String, Object> vars, String key, String value) {
        if (value != null) {
            vars.put(key, value);
        }
    }
}
