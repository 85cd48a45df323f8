package org.lorafoundry.engine.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture-independent view of a Hugging Face {@code config.json}, with each architecture's own field names and
 * defaults (those of its transformers config class) resolved.
 *
 * @param architecture which forward pass runs it
 * @param modelType the {@code model_type} as written
 * @param vocabSize rows of the token embedding and columns of the logits
 * @param hiddenSize model width ({@code n_embd} for gpt2)
 * @param numLayers decoder blocks
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention when smaller than numHeads)
 * @param headDim width of one head ({@code head_dim}, else hiddenSize / numHeads)
 * @param intermediateSize MLP width ({@code n_inner}, else 4 * n_embd, for gpt2)
 * @param maxPositions {@code n_positions} / {@code max_position_embeddings}
 * @param normEps epsilon of LayerNorm (gpt2) or RMSNorm
 * @param activation MLP activation, as transformers names it ({@code gelu_new}, {@code silu}, ...)
 * @param ropeTheta RoPE base (NaN for gpt2)
 * @param qkvBias q/k/v projections have biases
 * @param outputBias the attention output projection has a bias
 * @param mlpBias MLP projections have biases
 * @param tieWordEmbeddings the LM head reuses the token embedding
 * @param scaleAttnWeights gpt2: divide scores by sqrt(headDim) (always true for llama/qwen2)
 * @param scaleAttnByInverseLayerIdx gpt2: further divide scores by (layer index + 1)
 * @param bosTokenId {@code bos_token_id}, or null
 * @param eosTokenIds {@code eos_token_id} (an id or a list), possibly empty
 * @param dtype {@code dtype}/{@code torch_dtype} as written (informational: the engine computes in fp32)
 * @param raw the whole parsed file, for later consumers
 */
public record ModelConfig(
        Architecture architecture,
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int maxPositions,
        double normEps,
        String activation,
        double ropeTheta,
        boolean qkvBias,
        boolean outputBias,
        boolean mlpBias,
        boolean tieWordEmbeddings,
        boolean scaleAttnWeights,
        boolean scaleAttnByInverseLayerIdx,
        Long bosTokenId,
        List<Long> eosTokenIds,
        String dtype,
        JsonNode raw) {

    public static final String FILE_NAME = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code config.json} from a model directory (or the file itself). */
    public static ModelConfig load(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new ModelConfigException("no " + FILE_NAME + " at " + file);
        }
        return parse(Files.readString(file), file);
    }

    /** Parses config.json text; {@code source} only names it in messages (may be null). */
    public static ModelConfig parse(String json, Path source) {
        String where = source == null ? FILE_NAME : source.toString();
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelConfigException(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelConfigException(where + " is not a JSON object");
        }
        JsonNode mt = root.get("model_type");
        if (mt == null || !mt.isTextual()) {
            throw new UnsupportedArchitectureException(null, source);
        }
        Architecture arch;
        try {
            arch = Architecture.ofModelType(mt.asText());
        } catch (UnsupportedArchitectureException e) {
            throw new UnsupportedArchitectureException(mt.asText(), source);
        }
        Fields f = new Fields(root, where);
        return switch (arch) {
            case GPT2 -> gpt2(f, arch);
            case LLAMA, QWEN2 -> llamaLike(f, arch);
        };
    }

    private static ModelConfig gpt2(Fields f, Architecture arch) {
        if (f.bool("add_cross_attention", false)) {
            throw new ModelConfigException(f.where + ": gpt2 with add_cross_attention is an encoder-decoder part;"
                    + " only decoder-only models are supported");
        }
        int hidden = f.positive("n_embd", 768);
        int heads = f.positive("n_head", 12);
        if (hidden % heads != 0) {
            throw new ModelConfigException(f.where + ": n_embd " + hidden + " is not divisible by n_head " + heads);
        }
        Integer inner = f.optionalInt("n_inner");
        return new ModelConfig(arch, arch.modelType(),
                f.positive("vocab_size", 50257), hidden, f.positive("n_layer", 12), heads, heads, hidden / heads,
                inner == null ? 4 * hidden : inner, f.positive("n_positions", 1024),
                f.number("layer_norm_epsilon", 1e-5), f.text("activation_function", "gelu_new"), Double.NaN,
                true, true, true, f.bool("tie_word_embeddings", true),
                f.bool("scale_attn_weights", true), f.bool("scale_attn_by_inverse_layer_idx", false),
                f.optionalLong("bos_token_id"), f.longList("eos_token_id"), f.dtype(), f.root);
    }

    private static ModelConfig llamaLike(Fields f, Architecture arch) {
        boolean qwen = arch == Architecture.QWEN2;
        int hidden = f.positive("hidden_size", 4096);
        int heads = f.positive("num_attention_heads", 32);
        Integer kv = f.optionalInt("num_key_value_heads");
        int kvHeads = kv == null ? heads : kv;
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new ModelConfigException(f.where + ": num_attention_heads " + heads
                    + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        Integer hd = f.optionalInt("head_dim");
        int headDim;
        if (hd != null) {
            headDim = hd;
        } else {
            if (hidden % heads != 0) {
                throw new ModelConfigException(f.where + ": hidden_size " + hidden
                        + " is not divisible by num_attention_heads " + heads + " and there is no head_dim");
            }
            headDim = hidden / heads;
        }
        if (headDim % 2 != 0) {
            throw new ModelConfigException(f.where + ": head_dim " + headDim + " must be even for RoPE");
        }
        double theta = rope(f);
        if (qwen && f.bool("use_sliding_window", false)) {
            JsonNode types = f.root.get("layer_types");
            boolean anySliding = types == null || !types.isArray();
            if (types != null && types.isArray()) {
                for (JsonNode t : types) {
                    anySliding |= "sliding_attention".equals(t.asText());
                }
            }
            if (anySliding) {
                throw new ModelConfigException(f.where + ": qwen2 with use_sliding_window=true is not supported yet"
                        + " (sliding-window attention)");
            }
        }
        boolean attnBias = f.bool("attention_bias", false);
        return new ModelConfig(arch, arch.modelType(),
                f.positive("vocab_size", qwen ? 151936 : 32000), hidden, f.positive("num_hidden_layers", 32), heads,
                kvHeads, headDim, f.positive("intermediate_size", qwen ? 22016 : 11008),
                f.positive("max_position_embeddings", qwen ? 32768 : 2048),
                f.number("rms_norm_eps", 1e-6), f.text("hidden_act", "silu"), theta,
                qwen || attnBias, !qwen && attnBias, !qwen && f.bool("mlp_bias", false),
                f.bool("tie_word_embeddings", false), true, false,
                f.optionalLong("bos_token_id"), f.longList("eos_token_id"), f.dtype(), f.root);
    }

    /** rope_theta from transformers 5's {@code rope_parameters} or the older top-level field; only default RoPE. */
    private static double rope(Fields f) {
        double theta = f.number("rope_theta", 10000.0);
        String type = null;
        for (String key : new String[] {"rope_parameters", "rope_scaling"}) {
            JsonNode p = f.root.get(key);
            if (p != null && p.isObject()) {
                if (p.has("rope_theta") && p.get("rope_theta").isNumber()) {
                    theta = p.get("rope_theta").asDouble();
                }
                JsonNode t = p.has("rope_type") ? p.get("rope_type") : p.get("type");
                if (t != null && t.isTextual()) {
                    type = t.asText();
                }
            }
        }
        if (type != null && !type.equals("default")) {
            throw new ModelConfigException(f.where + ": rope_type '" + type + "' is not supported yet (supported: default)");
        }
        JsonNode partial = f.root.get("partial_rotary_factor");
        if (partial != null && partial.isNumber() && partial.asDouble() != 1.0) {
            throw new ModelConfigException(f.where + ": partial_rotary_factor " + partial + " is not supported");
        }
        if (!(theta > 0)) {
            throw new ModelConfigException(f.where + ": rope_theta must be positive, got " + theta);
        }
        return theta;
    }

    /** Number of key/value heads sharing each query group. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Width of the concatenated query heads. */
    public int queryWidth() {
        return numHeads * headDim;
    }

    /** Width of the concatenated key (or value) heads. */
    public int kvWidth() {
        return numKvHeads * headDim;
    }

    private static final class Fields {
        final JsonNode root;
        final String where;

        Fields(JsonNode root, String where) {
            this.root = root;
            this.where = where;
        }

        private JsonNode get(String key) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? null : n;
        }

        int positive(String key, int def) {
            JsonNode n = get(key);
            if (n == null) {
                return def;
            }
            if (!n.isIntegralNumber() || n.asLong() <= 0 || n.asLong() > Integer.MAX_VALUE) {
                throw new ModelConfigException(where + ": " + key + " must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        Integer optionalInt(String key) {
            JsonNode n = get(key);
            if (n == null) {
                return null;
            }
            if (!n.isIntegralNumber() || n.asLong() <= 0 || n.asLong() > Integer.MAX_VALUE) {
                throw new ModelConfigException(where + ": " + key + " must be a positive integer, got " + n);
            }
            return n.asInt();
        }

        Long optionalLong(String key) {
            JsonNode n = get(key);
            return n != null && n.isIntegralNumber() ? n.asLong() : null;
        }

        List<Long> longList(String key) {
            JsonNode n = get(key);
            List<Long> out = new ArrayList<>();
            if (n == null) {
                return List.of();
            }
            if (n.isArray()) {
                n.forEach(x -> out.add(x.asLong()));
            } else if (n.isIntegralNumber()) {
                out.add(n.asLong());
            }
            return List.copyOf(out);
        }

        double number(String key, double def) {
            JsonNode n = get(key);
            if (n == null) {
                return def;
            }
            if (!n.isNumber()) {
                throw new ModelConfigException(where + ": " + key + " must be a number, got " + n);
            }
            return n.asDouble();
        }

        boolean bool(String key, boolean def) {
            JsonNode n = get(key);
            if (n == null) {
                return def;
            }
            if (!n.isBoolean()) {
                throw new ModelConfigException(where + ": " + key + " must be true or false, got " + n);
            }
            return n.asBoolean();
        }

        String text(String key, String def) {
            JsonNode n = get(key);
            return n == null ? def : n.asText();
        }

        String dtype() {
            String d = text("dtype", null);
            return d != null ? d : text("torch_dtype", null);
        }
    }
}
