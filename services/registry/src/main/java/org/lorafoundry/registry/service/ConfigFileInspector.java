package org.lorafoundry.registry.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.arc.DefaultBean;

import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.ModelConfigSummary;
import org.lorafoundry.registry.domain.Manifest;

/**
 * The inspector used until the LoRA engine validates base models (see {@link BaseModelInspector}): reads
 * {@code config.json} (supported model types: gpt2, llama, qwen2), checks that {@code tokenizer.json} is JSON, reads
 * the safetensors headers (single file or sharded index) for the parameter count and the linear modules, and hashes
 * every file, streaming, for the manifest checksum. It never loads weights, so it cannot tell whether the model runs.
 */
@ApplicationScoped
@DefaultBean
public class ConfigFileInspector implements BaseModelInspector {

    /** Model types the platform trains, with the architecture class to assume when config.json names none. */
    static final Map<String, String> SUPPORTED = new LinkedHashMap<>();
    /** Module names (last dotted segment) of the layers a LoRA can target, per model type. */
    static final Map<String, Set<String>> LINEAR_MODULES = new HashMap<>();
    /** The prefix of module paths in the *ForCausalLM model (HF base_model_prefix), added when the file omits it. */
    static final Map<String, String> MODULE_PREFIX = new HashMap<>();

    static {
        SUPPORTED.put("gpt2", "GPT2LMHeadModel");
        SUPPORTED.put("llama", "LlamaForCausalLM");
        SUPPORTED.put("qwen2", "Qwen2ForCausalLM");
        Set<String> llama = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
        LINEAR_MODULES.put("llama", llama);
        LINEAR_MODULES.put("qwen2", llama);
        LINEAR_MODULES.put("gpt2", Set.of("c_attn", "c_proj", "c_fc"));
        MODULE_PREFIX.put("llama", "model");
        MODULE_PREFIX.put("qwen2", "model");
        MODULE_PREFIX.put("gpt2", "transformer");
    }

    static final String SINGLE_FILE = "model.safetensors";
    static final String SHARD_INDEX = "model.safetensors.index.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public ModelInspection inspect(Path directory) throws BaseModelInvalidException, IOException {
        JsonNode config = readConfig(directory);
        String modelType = config.path("model_type").asText("").toLowerCase(Locale.ROOT);
        if (modelType.isEmpty()) {
            throw new BaseModelInvalidException("CONFIG_UNREADABLE", "config.json has no model_type");
        }
        if (!SUPPORTED.containsKey(modelType)) {
            throw new BaseModelInvalidException("UNSUPPORTED_ARCHITECTURE", "model_type '" + modelType
                    + "' is not supported; supported model types: " + String.join(", ", SUPPORTED.keySet()));
        }
        JsonNode architectures = config.path("architectures");
        String architecture = architectures.isArray() && !architectures.isEmpty() && architectures.get(0).isTextual()
                ? architectures.get(0).asText() : SUPPORTED.get(modelType);
        checkTokenizer(directory);

        List<SafetensorsHeader.Tensor> tensors = readWeights(directory);
        long parameters = 0;
        Map<String, Long> dtypeElements = new HashMap<>();
        for (SafetensorsHeader.Tensor tensor : tensors) {
            parameters = Math.addExact(parameters, tensor.elements());
            dtypeElements.merge(tensor.dtype(), tensor.elements(), Long::sum);
        }
        if (parameters == 0) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "the safetensors files hold no parameters");
        }
        List<String> linear = linearModules(modelType, tensors);
        if (linear.isEmpty()) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "no linear module a LoRA can target ("
                    + String.join(", ", new java.util.TreeSet<>(LINEAR_MODULES.get(modelType))) + ") in the weights of "
                    + "this " + modelType + " model");
        }
        String dtype = config.path("torch_dtype").asText(config.path("dtype").asText(""));
        if (dtype.isEmpty()) {
            dtype = dtypeElements.entrySet().stream().max(Map.Entry.comparingByValue())
                    .map(entry -> SafetensorsHeader.torchDtype(entry.getKey())).orElse("");
        }
        ModelConfigSummary summary = summary(modelType, config).setTorchDtype(dtype).addAllLinearModuleNames(linear).build();
        return new ModelInspection(architecture, summary, parameters, listFiles(directory), "config-file");
    }

    // ------------------------------------------------------------------------------------------------ config

    private static JsonNode readConfig(Path directory) throws BaseModelInvalidException, IOException {
        Path file = directory.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new BaseModelInvalidException("CONFIG_UNREADABLE", "no config.json in " + directory);
        }
        try {
            JsonNode config = MAPPER.readTree(file.toFile());
            if (config == null || !config.isObject()) {
                throw new BaseModelInvalidException("CONFIG_UNREADABLE", "config.json is not a JSON object");
            }
            return config;
        } catch (JsonProcessingException e) {
            throw new BaseModelInvalidException("CONFIG_UNREADABLE", "config.json is not JSON: " + e.getOriginalMessage());
        }
    }

    /** Hugging Face names per model type (GPT-2 has its own: n_layer, n_embd, n_head, n_inner, n_positions). */
    static ModelConfigSummary.Builder summary(String modelType, JsonNode config) {
        ModelConfigSummary.Builder summary = ModelConfigSummary.newBuilder().setModelType(modelType)
                .setVocabSize(integer(config, "vocab_size"));
        if (modelType.equals("gpt2")) {
            int hidden = integer(config, "n_embd", "hidden_size");
            int heads = integer(config, "n_head", "num_attention_heads");
            int inner = integer(config, "n_inner");
            return summary.setNumHiddenLayers(integer(config, "n_layer", "num_hidden_layers")).setHiddenSize(hidden)
                    .setIntermediateSize(inner > 0 ? inner : 4 * hidden).setNumAttentionHeads(heads)
                    .setNumKeyValueHeads(heads).setMaxPositionEmbeddings(integer(config, "n_positions",
                            "max_position_embeddings"));
        }
        int heads = integer(config, "num_attention_heads");
        int kvHeads = integer(config, "num_key_value_heads");
        return summary.setNumHiddenLayers(integer(config, "num_hidden_layers")).setHiddenSize(integer(config, "hidden_size"))
                .setIntermediateSize(integer(config, "intermediate_size")).setNumAttentionHeads(heads)
                .setNumKeyValueHeads(kvHeads > 0 ? kvHeads : heads)
                .setMaxPositionEmbeddings(integer(config, "max_position_embeddings"));
    }

    private static int integer(JsonNode config, String... names) {
        for (String name : names) {
            JsonNode value = config.get(name);
            if (value != null && value.canConvertToInt()) {
                return value.asInt();
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------ tokenizer

    /** tokenizer.json must exist and be one JSON object; it is parsed as a stream (it can be tens of MB). */
    private static void checkTokenizer(Path directory) throws BaseModelInvalidException, IOException {
        Path file = directory.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new BaseModelInvalidException("TOKENIZER_UNREADABLE", "no tokenizer.json in " + directory
                    + " (the platform needs the fast-tokenizer file)");
        }
        try (JsonParser parser = JSON.createParser(file.toFile())) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new BaseModelInvalidException("TOKENIZER_UNREADABLE", "tokenizer.json is not a JSON object");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new BaseModelInvalidException("TOKENIZER_UNREADABLE", "tokenizer.json has content after its object");
            }
        } catch (JsonProcessingException e) {
            throw new BaseModelInvalidException("TOKENIZER_UNREADABLE", "tokenizer.json is not JSON: "
                    + e.getOriginalMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------ weights

    private static List<SafetensorsHeader.Tensor> readWeights(Path directory) throws BaseModelInvalidException, IOException {
        Path index = directory.resolve(SHARD_INDEX);
        if (Files.isRegularFile(index)) {
            return readShards(directory, index);
        }
        Path single = directory.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "no " + SINGLE_FILE + " or " + SHARD_INDEX + " in "
                    + directory + " (only safetensors weights are supported, not PyTorch .bin files)");
        }
        return SafetensorsHeader.read(single);
    }

    private static List<SafetensorsHeader.Tensor> readShards(Path directory, Path index)
            throws BaseModelInvalidException, IOException {
        JsonNode weightMap;
        try {
            weightMap = MAPPER.readTree(index.toFile()).path("weight_map");
        } catch (JsonProcessingException e) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", SHARD_INDEX + " is not JSON: " + e.getOriginalMessage());
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", SHARD_INDEX + " has no weight_map");
        }
        Map<String, String> shardOf = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = weightMap.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = fields.next();
            shardOf.put(entry.getKey(), entry.getValue().asText());
        }
        List<SafetensorsHeader.Tensor> tensors = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (String shard : new LinkedHashSet<>(shardOf.values())) {
            Path file = directory.resolve(shard).normalize();
            if (shard.isEmpty() || !file.startsWith(directory) || file.getParent() == null
                    || !Files.isRegularFile(file)) {
                throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", SHARD_INDEX + " names shard '" + shard
                        + "', which is not a file of the directory");
            }
            for (SafetensorsHeader.Tensor tensor : SafetensorsHeader.read(file)) {
                if (seen.add(tensor.name())) {
                    tensors.add(tensor);
                }
                String expected = shardOf.get(tensor.name());
                if (expected != null && !expected.equals(shard)) {
                    throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "tensor '" + tensor.name() + "' is in "
                            + shard + " but " + SHARD_INDEX + " places it in " + expected);
                }
            }
        }
        for (String tensor : shardOf.keySet()) {
            if (!seen.contains(tensor)) {
                throw new BaseModelInvalidException("WEIGHTS_UNREADABLE", "tensor '" + tensor + "' of " + SHARD_INDEX
                        + " is in none of the shards");
            }
        }
        return tensors;
    }

    /**
     * The modules a LoRA can target: 2-D {@code <path>.weight} tensors whose last path segment is one of the model
     * type's linear layers, as module paths of the *ForCausalLM model (the prefix added where the file omits it, as
     * GPT-2 checkpoints do), in natural order (layer 2 before layer 10).
     */
    static List<String> linearModules(String modelType, List<SafetensorsHeader.Tensor> tensors) {
        Set<String> names = LINEAR_MODULES.get(modelType);
        String prefix = MODULE_PREFIX.get(modelType) + ".";
        Set<String> modules = new LinkedHashSet<>();
        for (SafetensorsHeader.Tensor tensor : tensors) {
            if (!tensor.name().endsWith(".weight") || tensor.shape().length != 2) {
                continue;
            }
            String module = tensor.name().substring(0, tensor.name().length() - ".weight".length());
            String last = module.substring(module.lastIndexOf('.') + 1);
            if (names.contains(last)) {
                modules.add(module.startsWith(prefix) ? module : prefix + module);
            }
        }
        List<String> sorted = new ArrayList<>(modules);
        sorted.sort(NATURAL);
        return sorted;
    }

    /** Compares digit runs as numbers: {@code layers.2} before {@code layers.10}. */
    static final Comparator<String> NATURAL = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = new java.math.BigInteger(a.substring(si, i)).compareTo(new java.math.BigInteger(b.substring(sj, j)));
                if (c != 0) {
                    return c;
                }
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    // ------------------------------------------------------------------------------------------------ files

    /**
     * Every regular file under the directory (symbolic links to files followed, as in a Hugging Face cache snapshot;
     * hidden files and directories such as {@code .gitattributes} or {@code .cache/} skipped), each hashed while
     * streaming it, and the manifest checksum over them (common.proto, DirectoryRef.manifest_sha256).
     */
    static DirectoryRef listFiles(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(path -> !path.equals(directory))
                    .filter(path -> !hidden(directory.relativize(path)))
                    .filter(Files::isRegularFile)
                    .toList();
        }
        List<BlobRef> refs = new ArrayList<>();
        long total = 0;
        for (Path file : files) {
            String relative = directory.relativize(file).toString().replace(java.io.File.separatorChar, '/');
            String sha256;
            try (InputStream in = Files.newInputStream(file)) {
                sha256 = Manifest.sha256(in);
            } catch (NoSuchFileException e) {
                continue; // removed while we listed: not part of the model
            }
            long size = Files.size(file);
            total += size;
            refs.add(BlobRef.newBuilder().setUri(file.toUri().toString()).setSha256(sha256).setSizeBytes(size)
                    .setRelativePath(relative).build());
        }
        refs.sort(Comparator.comparing(BlobRef::getRelativePath, Manifest::compareUtf8));
        String uri = directory.toUri().toString();
        return DirectoryRef.newBuilder().setUri(uri.endsWith("/") ? uri : uri + "/").addAllFiles(refs)
                .setManifestSha256(Manifest.sha256(refs)).setTotalSizeBytes(total).build();
    }

    private static boolean hidden(Path relative) {
        for (Path segment : relative) {
            if (segment.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
