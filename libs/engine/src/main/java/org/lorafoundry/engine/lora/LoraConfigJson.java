package org.lorafoundry.engine.lora;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.lorafoundry.engine.model.Architecture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code adapter_config.json} as PEFT 0.21 reads and writes it. Reading: PEFT's field names and value forms (a list or
 * a string for {@code target_modules}, a boolean or a string for {@code init_lora_weights}, an int or a list for
 * {@code layers_to_transform}, ...); a {@code peft_type} other than {@code LORA} is refused; fields of features this
 * engine does not implement are refused when set to anything but their default; fields it does not know are ignored
 * with a warning (PEFT adds fields over versions). Writing: every field PEFT 0.21 writes, sorted as PEFT sorts them,
 * so that PEFT loads the file without surprises.
 */
public final class LoraConfigJson {
    public static final String FILE_NAME = "adapter_config.json";
    private static final Logger LOG = LoggerFactory.getLogger(LoraConfigJson.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Fields read into {@link LoraConfig}. */
    private static final Set<String> READ = Set.of("r", "lora_alpha", "lora_dropout", "target_modules",
            "exclude_modules", "bias", "use_rslora", "init_lora_weights", "layers_to_transform", "layers_pattern",
            "rank_pattern", "alpha_pattern", "modules_to_save", "task_type", "base_model_name_or_path", "revision",
            "peft_type");
    /** PEFT fields that carry no meaning here (bookkeeping, or sub-configs of inits/features left at default). */
    private static final Set<String> IGNORED = Set.of("auto_mapping", "peft_version", "inference_mode",
            "fan_in_fan_out", "loftq_config", "eva_config", "corda_config", "lora_ga_config", "qalora_group_size",
            "megatron_core", "runtime_config");
    /** PEFT features this engine does not run, with the value that means "off". */
    private static final Map<String, String> UNSUPPORTED_UNLESS_OFF = new LinkedHashMap<>();

    static {
        UNSUPPORTED_UNLESS_OFF.put("use_dora", "DoRA (weight-decomposed LoRA)");
        UNSUPPORTED_UNLESS_OFF.put("lora_bias", "a bias on lora_B");
        UNSUPPORTED_UNLESS_OFF.put("target_parameters", "LoRA on nn.Parameter targets");
        UNSUPPORTED_UNLESS_OFF.put("layer_replication", "layer replication");
        UNSUPPORTED_UNLESS_OFF.put("trainable_token_indices", "trainable tokens");
        UNSUPPORTED_UNLESS_OFF.put("alora_invocation_tokens", "activated LoRA (aLoRA)");
        UNSUPPORTED_UNLESS_OFF.put("use_qalora", "QA-LoRA");
        UNSUPPORTED_UNLESS_OFF.put("use_bdlora", "block-diagonal LoRA");
        UNSUPPORTED_UNLESS_OFF.put("arrow_config", "Arrow routing");
        UNSUPPORTED_UNLESS_OFF.put("megatron_config", "Megatron parallel layers");
        UNSUPPORTED_UNLESS_OFF.put("velora_config", "VeLoRA");
        UNSUPPORTED_UNLESS_OFF.put("kasa_config", "KaSA");
        UNSUPPORTED_UNLESS_OFF.put("monteclora_config", "MonteCLoRA");
        UNSUPPORTED_UNLESS_OFF.put("ensure_weight_tying", "ensure_weight_tying (adapters kept tied across tied"
                + " weights)");
    }

    private LoraConfigJson() {
    }

    /** Reads {@code adapter_config.json} from an adapter directory (or the file itself). */
    public static LoraConfig read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new LoraConfigException("no " + FILE_NAME + " at " + file);
        }
        return parse(Files.readString(file), file.toString());
    }

    /** Parses the JSON text; {@code where} names it in messages. */
    public static LoraConfig parse(String json, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new LoraConfigException(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new LoraConfigException(where + " is not a JSON object");
        }
        JsonNode type = root.get("peft_type");
        if (type == null || !type.isTextual()) {
            throw new LoraConfigException(where + " has no peft_type; a PEFT LoRA adapter has \"peft_type\": \"LORA\"");
        }
        if (!LoraConfig.PEFT_TYPE.equals(type.asText())) {
            throw new LoraConfigException(where + " is a " + type.asText() + " adapter; only LORA adapters are"
                    + " supported");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String k = it.next();
            JsonNode v = root.get(k);
            if (UNSUPPORTED_UNLESS_OFF.containsKey(k)) {
                if (!isOff(v)) {
                    throw new UnsupportedLoraConfigException(where + ": " + k + "=" + v + " asks for "
                            + UNSUPPORTED_UNLESS_OFF.get(k) + ", which this engine does not implement");
                }
            } else if (!READ.contains(k) && !IGNORED.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("{}: ignoring fields this engine does not know: {}", where, unknown);
        }
        LoraConfig.Builder b = LoraConfig.builder().taskType(null);
        F f = new F(root, where);
        b.r(f.integer("r", 8));
        b.loraAlpha(f.number("lora_alpha", 8));
        b.loraDropout(f.number("lora_dropout", 0.0));
        b.targetModules(f.selector("target_modules"));
        b.excludeModules(f.selector("exclude_modules"));
        b.bias(LoraConfig.Bias.of(f.text("bias", "none")));
        b.useRslora(f.bool("use_rslora", false));
        JsonNode init = root.get("init_lora_weights");
        if (init == null || init.isNull()) {
            b.initLoraWeights(true);
        } else if (init.isBoolean()) {
            b.initLoraWeights(init.asBoolean());
        } else if (init.isTextual()) {
            b.initLoraWeights(init.asText());
        } else {
            throw new LoraConfigException(where + ": init_lora_weights must be a boolean or a string, got " + init);
        }
        b.layersToTransform(f.intOrInts("layers_to_transform"));
        b.layersPattern(f.textOrTexts("layers_pattern"));
        b.rankPattern(f.map("rank_pattern", JsonNode::isIntegralNumber, JsonNode::asInt));
        b.alphaPattern(f.map("alpha_pattern", JsonNode::isNumber, JsonNode::asDouble));
        b.modulesToSave(f.textOrTexts("modules_to_save"));
        b.taskType(f.text("task_type", null));
        b.baseModelNameOrPath(f.text("base_model_name_or_path", null));
        b.revision(f.text("revision", null));
        try {
            return b.build();
        } catch (UnsupportedLoraConfigException e) {
            throw new UnsupportedLoraConfigException(where + ": " + e.getMessage());
        } catch (LoraConfigException e) {
            throw new LoraConfigException(where + ": " + e.getMessage(), e);
        }
    }

    private static boolean isOff(JsonNode v) {
        return v == null || v.isNull() || (v.isBoolean() && !v.asBoolean()) || (v.isContainerNode() && v.isEmpty());
    }

    /**
     * The JSON PEFT 0.21 writes for this config, keys sorted. {@code architecture} (may be null) gives
     * {@code fan_in_fan_out} (true for GPT-2's Conv1D) and, without a task type, PEFT's {@code auto_mapping}.
     */
    public static String write(LoraConfig c, Architecture architecture) {
        JsonNodeFactory n = JsonNodeFactory.instance;
        Map<String, JsonNode> m = new TreeMap<>();
        m.put("alora_invocation_tokens", n.nullNode());
        m.put("alpha_pattern", objectOf(c.alphaPattern()));
        m.put("arrow_config", n.nullNode());
        if (c.taskType() == null && architecture != null) {
            ObjectNode auto = n.objectNode();
            auto.put("base_model_class", switch (architecture) {
                case GPT2 -> "GPT2LMHeadModel";
                case LLAMA -> "LlamaForCausalLM";
                case QWEN2 -> "Qwen2ForCausalLM";
            });
            auto.put("parent_library", "transformers.models." + architecture.modelType() + ".modeling_"
                    + architecture.modelType());
            m.put("auto_mapping", auto);
        } else {
            m.put("auto_mapping", n.nullNode());
        }
        m.put("base_model_name_or_path", textOrNull(c.baseModelNameOrPath()));
        m.put("bias", n.textNode(c.bias().peftName()));
        m.put("corda_config", n.nullNode());
        m.put("ensure_weight_tying", n.booleanNode(false));
        m.put("eva_config", n.nullNode());
        m.put("exclude_modules", selector(c.excludeModules()));
        m.put("fan_in_fan_out", n.booleanNode(architecture == Architecture.GPT2));
        m.put("inference_mode", n.booleanNode(true));
        String init = c.initLoraWeights();
        m.put("init_lora_weights", init.equals("true") || init.equals("false") ? n.booleanNode(Boolean.parseBoolean(init))
                : n.textNode(init));
        m.put("kasa_config", n.nullNode());
        m.put("layer_replication", n.nullNode());
        m.put("layers_pattern", c.layersPattern() == null ? n.nullNode()
                : c.layersPattern().size() == 1 ? n.textNode(c.layersPattern().get(0)) : stringArray(c.layersPattern()));
        if (c.layersToTransform() == null) {
            m.put("layers_to_transform", n.nullNode());
        } else {
            ArrayNode a = n.arrayNode();
            c.layersToTransform().forEach(a::add);
            m.put("layers_to_transform", a);
        }
        m.put("loftq_config", n.objectNode());
        m.put("lora_alpha", number(c.loraAlpha()));
        m.put("lora_bias", n.booleanNode(false));
        m.put("lora_dropout", n.numberNode(c.loraDropout()));
        m.put("lora_ga_config", n.nullNode());
        m.put("megatron_config", n.nullNode());
        m.put("megatron_core", n.textNode("megatron.core"));
        m.put("modules_to_save", c.modulesToSave() == null ? n.nullNode() : stringArray(c.modulesToSave()));
        m.put("monteclora_config", n.nullNode());
        m.put("peft_type", n.textNode(LoraConfig.PEFT_TYPE));
        m.put("qalora_group_size", n.numberNode(16));
        m.put("r", n.numberNode(c.r()));
        ObjectNode rank = n.objectNode();
        c.rankPattern().forEach(rank::put);
        m.put("rank_pattern", rank);
        m.put("revision", textOrNull(c.revision()));
        m.put("target_modules", selector(c.targetModules()));
        m.put("target_parameters", n.nullNode());
        m.put("task_type", textOrNull(c.taskType()));
        m.put("trainable_token_indices", n.nullNode());
        m.put("use_bdlora", n.nullNode());
        m.put("use_dora", n.booleanNode(false));
        m.put("use_qalora", n.booleanNode(false));
        m.put("use_rslora", n.booleanNode(c.useRslora()));
        m.put("velora_config", n.nullNode());
        ObjectNode root = n.objectNode();
        m.forEach(root::set);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode objectOf(Map<String, Double> values) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        values.forEach((k, v) -> o.set(k, number(v)));
        return o;
    }

    /** Integral values as JSON integers (PEFT's lora_alpha is an int unless it was given as a float). */
    private static JsonNode number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return JsonNodeFactory.instance.numberNode((long) v);
        }
        return JsonNodeFactory.instance.numberNode(v);
    }

    private static JsonNode textOrNull(String s) {
        return s == null ? JsonNodeFactory.instance.nullNode() : JsonNodeFactory.instance.textNode(s);
    }

    private static JsonNode selector(ModuleSelector s) {
        if (s == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        return s.isRegex() ? JsonNodeFactory.instance.textNode(s.regex()) : stringArray(s.names());
    }

    private static ArrayNode stringArray(List<String> values) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        values.forEach(a::add);
        return a;
    }

    /** Typed field access with messages naming the file and field. */
    private record F(JsonNode root, String where) {
        private JsonNode get(String k) {
            JsonNode v = root.get(k);
            return v == null || v.isNull() ? null : v;
        }

        private LoraConfigException bad(String k, String expected) {
            return new LoraConfigException(where + ": " + k + " must be " + expected + ", got " + root.get(k));
        }

        int integer(String k, int dflt) {
            JsonNode v = get(k);
            if (v == null) {
                return dflt;
            }
            if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                throw bad(k, "an integer");
            }
            return v.asInt();
        }

        double number(String k, double dflt) {
            JsonNode v = get(k);
            if (v == null) {
                return dflt;
            }
            if (!v.isNumber()) {
                throw bad(k, "a number");
            }
            return v.asDouble();
        }

        boolean bool(String k, boolean dflt) {
            JsonNode v = get(k);
            if (v == null) {
                return dflt;
            }
            if (!v.isBoolean()) {
                throw bad(k, "true or false");
            }
            return v.asBoolean();
        }

        String text(String k, String dflt) {
            JsonNode v = get(k);
            if (v == null) {
                return dflt;
            }
            if (!v.isTextual()) {
                throw bad(k, "a string");
            }
            return v.asText();
        }

        ModuleSelector selector(String k) {
            JsonNode v = get(k);
            if (v == null) {
                return null;
            }
            if (v.isTextual()) {
                return ModuleSelector.regex(v.asText());
            }
            List<String> names = textOrTexts(k);
            return names == null ? null : ModuleSelector.names(names);
        }

        List<String> textOrTexts(String k) {
            JsonNode v = get(k);
            if (v == null) {
                return null;
            }
            if (v.isTextual()) {
                return List.of(v.asText());
            }
            if (!v.isArray()) {
                throw bad(k, "a string or a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw bad(k, "a string or a list of strings");
                }
                out.add(e.asText());
            }
            return out;
        }

        List<Integer> intOrInts(String k) {
            JsonNode v = get(k);
            if (v == null) {
                return null;
            }
            if (v.isIntegralNumber()) {
                return List.of(v.asInt());
            }
            if (!v.isArray()) {
                throw bad(k, "an integer or a list of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) {
                    throw bad(k, "an integer or a list of integers");
                }
                out.add(e.asInt());
            }
            return out.isEmpty() ? null : out;
        }

        <T> Map<String, T> map(String k, java.util.function.Predicate<JsonNode> ok,
                java.util.function.Function<JsonNode, T> value) {
            JsonNode v = get(k);
            Map<String, T> out = new LinkedHashMap<>();
            if (v == null) {
                return out;
            }
            if (!v.isObject()) {
                throw bad(k, "an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!ok.test(e.getValue())) {
                    throw new LoraConfigException(where + ": " + k + "['" + e.getKey() + "'] has an invalid value "
                            + e.getValue());
                }
                out.put(e.getKey(), value.apply(e.getValue()));
            }
            return out;
        }
    }
}
