package org.lorafoundry.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Writes small but well-formed Hugging Face model directories (config.json, tokenizer.json, safetensors). */
public final class TestModels {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A tensor to write: name, dtype and shape; data is zeros (or {@code fill}). */
    public record Tensor(String name, String dtype, long... shape) {

        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        long bytes() {
            return elements() * (dtype.equals("F32") ? 4 : 2);
        }
    }

    private TestModels() {
    }

    /** A two-layer Llama-shaped model (hidden 8, intermediate 16, vocab 32); returns its parameter count. */
    public static long llama(Path dir, String modelType, byte fill) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of(modelType.equals("qwen2") ? "Qwen2ForCausalLM" : "LlamaForCausalLM"));
        config.put("model_type", modelType);
        config.put("hidden_size", 8);
        config.put("intermediate_size", 16);
        config.put("num_hidden_layers", 2);
        config.put("num_attention_heads", 2);
        config.put("num_key_value_heads", 1);
        config.put("vocab_size", 32);
        config.put("max_position_embeddings", 64);
        config.put("torch_dtype", "float32");
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
        tokenizer(dir);
        List<Tensor> tensors = llamaTensors();
        safetensors(dir.resolve("model.safetensors"), tensors, fill);
        return tensors.stream().mapToLong(Tensor::elements).sum();
    }

    public static List<Tensor> llamaTensors() {
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(new Tensor("model.embed_tokens.weight", "F32", 32, 8));
        for (int layer = 0; layer < 2; layer++) {
            String p = "model.layers." + layer + ".";
            tensors.add(new Tensor(p + "self_attn.q_proj.weight", "F32", 8, 8));
            tensors.add(new Tensor(p + "self_attn.k_proj.weight", "F32", 4, 8));
            tensors.add(new Tensor(p + "self_attn.v_proj.weight", "F32", 4, 8));
            tensors.add(new Tensor(p + "self_attn.o_proj.weight", "F32", 8, 8));
            tensors.add(new Tensor(p + "mlp.gate_proj.weight", "F32", 16, 8));
            tensors.add(new Tensor(p + "mlp.up_proj.weight", "F32", 16, 8));
            tensors.add(new Tensor(p + "mlp.down_proj.weight", "F32", 8, 16));
            tensors.add(new Tensor(p + "input_layernorm.weight", "F32", 8));
            tensors.add(new Tensor(p + "post_attention_layernorm.weight", "F32", 8));
        }
        tensors.add(new Tensor("model.norm.weight", "F32", 8));
        tensors.add(new Tensor("lm_head.weight", "F32", 32, 8));
        return tensors;
    }

    public static void tokenizer(Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", "
                + "\"vocab\": {\"a\": 0, \"b\": 1}, \"merges\": []}}");
    }

    /** Writes a safetensors file: 8-byte little-endian header length, JSON header, then the tensors' bytes. */
    public static void safetensors(Path file, List<Tensor> tensors, byte fill) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Tensor tensor : tensors) {
            header.put(tensor.name(), Map.of("dtype", tensor.dtype(), "shape", tensor.shape(),
                    "data_offsets", List.of(offset, offset + tensor.bytes())));
            offset += tensor.bytes();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
            out.write(json);
            byte[] data = new byte[(int) offset];
            java.util.Arrays.fill(data, fill);
            out.write(data);
        }
    }

    /** Every regular, non-hidden file of the directory as sha256sum would list it, and the SHA-256 of that listing. */
    public static String manifestBySha256sum(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                String relative = dir.relativize(file).toString();
                if (relative.startsWith(".") || relative.contains("/.")) {
                    continue;
                }
                lines.add(sha256(Files.readAllBytes(file)) + "  " + relative);
            }
        }
        lines.sort((a, b) -> a.substring(66).compareTo(b.substring(66)));
        StringBuilder listing = new StringBuilder();
        lines.forEach(line -> listing.append(line).append('\n'));
        return sha256(listing.toString().getBytes(StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
