package org.lorafoundry.registry.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.registry.EngineFixtures;
import org.lorafoundry.registry.TestModels;
import org.lorafoundry.registry.TestModels.Tensor;

/** Base-model validation by the engine: config, tokenizer, safetensors headers, manifest checksum. */
class EngineModelInspectorTest {

    private final EngineModelInspector inspector = new EngineModelInspector();

    @TempDir
    Path dir;

    @Test
    void aLlamaDirectoryGivesItsArchitectureParametersLinearModulesAndAStableManifest() throws Exception {
        long parameters = TestModels.llama(dir, "llama", (byte) 0);
        Files.writeString(dir.resolve(".gitattributes"), "*.safetensors filter=lfs");
        Files.createDirectories(dir.resolve(".cache"));
        Files.writeString(dir.resolve(".cache/lock"), "x");

        ModelInspection inspection = inspector.inspect(dir);

        assertThat(inspection.architecture()).isEqualTo("LlamaForCausalLM");
        assertThat(inspection.parameterCount()).isEqualTo(parameters).isEqualTo(2 * 32 * 8 + 8
                + 2 * (8 * 8 + 4 * 8 + 4 * 8 + 8 * 8 + 3 * 16 * 8 + 2 * 8));
        assertThat(inspection.config().getModelType()).isEqualTo("llama");
        assertThat(inspection.config().getNumHiddenLayers()).isEqualTo(2);
        assertThat(inspection.config().getHiddenSize()).isEqualTo(8);
        assertThat(inspection.config().getIntermediateSize()).isEqualTo(16);
        assertThat(inspection.config().getNumKeyValueHeads()).isEqualTo(1);
        assertThat(inspection.config().getVocabSize()).isEqualTo(32);
        assertThat(inspection.config().getMaxPositionEmbeddings()).isEqualTo(64);
        assertThat(inspection.config().getTorchDtype()).isEqualTo("float32");
        assertThat(inspection.config().getLinearModuleNamesList()).hasSize(14).startsWith(
                "model.layers.0.mlp.down_proj", "model.layers.0.mlp.gate_proj", "model.layers.0.mlp.up_proj",
                "model.layers.0.self_attn.k_proj").contains("model.layers.1.self_attn.v_proj")
                .noneMatch(name -> name.endsWith(".weight") || name.contains("lm_head") || name.contains("norm"));
        // hidden files are not part of the model; the manifest is what sha256sum | sha256sum gives
        assertThat(inspection.files().getFilesList()).extracting(BlobRef::getRelativePath)
                .containsExactly("config.json", "model.safetensors", "tokenizer.json");
        assertThat(inspection.files().getManifestSha256()).isEqualTo(TestModels.manifestBySha256sum(dir));
        assertThat(inspection.files().getFiles(1).getSha256())
                .isEqualTo(TestModels.sha256(Files.readAllBytes(dir.resolve("model.safetensors"))));
        assertThat(inspection.files().getTotalSizeBytes()).isEqualTo(inspection.files().getFilesList().stream()
                .mapToLong(BlobRef::getSizeBytes).sum());
        assertThat(inspection.files().getUri()).isEqualTo(dir.toUri().toString()).endsWith("/");

        assertThat(inspector.inspect(dir).files().getManifestSha256()).isEqualTo(inspection.files().getManifestSha256());
        TestModels.llama(dir, "llama", (byte) 1); // same shapes, other weights
        assertThat(inspector.inspect(dir).files().getManifestSha256()).isNotEqualTo(inspection.files().getManifestSha256());
    }

    @Test
    void aShardedQwen2ModelIsReadThroughItsIndex() throws Exception {
        TestModels.llama(dir, "qwen2", (byte) 0);
        Files.delete(dir.resolve("model.safetensors"));
        List<Tensor> tensors = TestModels.llamaTensors();
        List<Tensor> first = tensors.subList(0, 10);
        List<Tensor> second = tensors.subList(10, tensors.size());
        TestModels.safetensors(dir.resolve("model-00001-of-00002.safetensors"), first, (byte) 0);
        TestModels.safetensors(dir.resolve("model-00002-of-00002.safetensors"), second, (byte) 0);
        Map<String, String> weightMap = new java.util.LinkedHashMap<>();
        first.forEach(t -> weightMap.put(t.name(), "model-00001-of-00002.safetensors"));
        second.forEach(t -> weightMap.put(t.name(), "model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                new ObjectMapper().writeValueAsString(Map.of("metadata", Map.of(), "weight_map", weightMap)));

        ModelInspection inspection = inspector.inspect(dir);

        assertThat(inspection.architecture()).isEqualTo("Qwen2ForCausalLM");
        assertThat(inspection.parameterCount()).isEqualTo(tensors.stream().mapToLong(t -> {
            long n = 1;
            for (long d : t.shape()) {
                n *= d;
            }
            return n;
        }).sum());
        assertThat(inspection.config().getLinearModuleNamesList()).hasSize(14);
        assertThat(inspection.files().getFilesCount()).isEqualTo(5);

        weightMap.put("model.extra.weight", "model-00002-of-00002.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                new ObjectMapper().writeValueAsString(Map.of("weight_map", weightMap)));
        assertThatThrownBy(() -> inspector.inspect(dir)).isInstanceOf(BaseModelInvalidException.class)
                .hasMessageContaining("model.extra.weight").extracting("code").isEqualTo("WEIGHTS_UNREADABLE");
    }

    /**
     * Checkpoints written by transformers (sharded F16 with tied embeddings, BF16 qwen2, GPT-2's Conv1D): the parameter
     * count is transformers' {@code num_parameters()} and the linear modules are its Linear/Conv1D modules but the head.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "llama-tied", "qwen2"})
    void transformersCheckpointsGiveTransformersParameterCountAndModules(String fixture) throws Exception {
        EngineFixtures.copy(fixture, dir, false);
        JsonNode reference = EngineFixtures.reference(fixture);

        ModelInspection inspection = inspector.inspect(dir);

        assertThat(inspection.parameterCount()).isEqualTo(reference.path("parameters").asLong());
        List<String> modules = new java.util.ArrayList<>();
        reference.path("modules").forEach(module -> modules.add(module.asText()));
        modules.remove("lm_head");
        assertThat(inspection.config().getLinearModuleNamesList()).containsExactlyElementsOf(modules);
        assertThat(inspection.config().getModelType()).isEqualTo(reference.path("model_type").asText());
        assertThat(inspection.architecture()).endsWith(fixture.startsWith("gpt2") ? "LMHeadModel" : "ForCausalLM");
        assertThat(inspection.inspector()).isEqualTo("engine");
    }

    @Test
    void aTokenizerWhoseIdsDoNotFitTheEmbeddingIsRefused() throws Exception {
        EngineFixtures.copy("llama", dir, false);
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"vocab_size\": 320", "\"vocab_size\": 8"));
        assertInvalid("TOKENIZER_MISMATCH", "vocab_size 8");
    }

    @Test
    void aConfigTheEngineCannotRunIsRefusedWithTheEngineReason() throws Exception {
        EngineFixtures.copy("llama", dir, false);
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"rope_type\": \"default\"",
                "\"rope_type\": \"yarn\""));
        assertInvalid("CONFIG_INVALID", "rope_type 'yarn' is not supported");
    }

    @Test
    void gpt2ModuleNamesGetTheTransformerPrefixAndItsOwnConfigNames() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": 1, \"n_embd\": 8, "
                + "\"n_head\": 2, \"n_positions\": 32, \"vocab_size\": 16}");
        TestModels.tokenizer(dir);
        TestModels.safetensors(dir.resolve("model.safetensors"), List.of(
                new Tensor("wte.weight", "F32", 16, 8), new Tensor("wpe.weight", "F32", 32, 8),
                new Tensor("h.0.attn.c_attn.weight", "F32", 8, 24), new Tensor("h.0.attn.c_attn.bias", "F32", 24),
                new Tensor("h.0.attn.c_proj.weight", "F32", 8, 8), new Tensor("h.0.mlp.c_fc.weight", "F32", 8, 32),
                new Tensor("h.0.mlp.c_proj.weight", "F32", 32, 8), new Tensor("ln_f.weight", "BF16", 8)), (byte) 0);

        ModelInspection inspection = inspector.inspect(dir);

        assertThat(inspection.architecture()).isEqualTo("GPT2LMHeadModel");
        assertThat(inspection.config().getHiddenSize()).isEqualTo(8);
        assertThat(inspection.config().getIntermediateSize()).isEqualTo(32);
        assertThat(inspection.config().getMaxPositionEmbeddings()).isEqualTo(32);
        assertThat(inspection.config().getTorchDtype()).isEqualTo("float32"); // the dominant stored dtype
        assertThat(inspection.config().getLinearModuleNamesList()).containsExactly("transformer.h.0.attn.c_attn",
                "transformer.h.0.attn.c_proj", "transformer.h.0.mlp.c_fc", "transformer.h.0.mlp.c_proj");
    }

    @Test
    void anUnsupportedModelTypeIsRefusedNamingTheSupportedOnes() throws Exception {
        TestModels.llama(dir, "llama", (byte) 0);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mistral\", \"architectures\": [\"MistralForCausalLM\"]}");
        assertThatThrownBy(() -> inspector.inspect(dir)).isInstanceOf(BaseModelInvalidException.class)
                .hasMessageContaining("'mistral'").hasMessageContaining("supported architectures: gpt2, llama, qwen2")
                .extracting("code").isEqualTo("UNSUPPORTED_ARCHITECTURE");
    }

    @Test
    void missingOrBrokenFilesAreRefusedWithTheirReason() throws Exception {
        assertInvalid("CONFIG_UNREADABLE", "no config.json");

        TestModels.llama(dir, "llama", (byte) 0);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
        assertInvalid("CONFIG_UNREADABLE", "config.json is not valid JSON");
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 8}");
        assertInvalid("CONFIG_UNREADABLE", "config.json has no model_type (supported: gpt2, llama, qwen2)");

        TestModels.llama(dir, "llama", (byte) 0);
        Files.delete(dir.resolve("tokenizer.json"));
        assertInvalid("TOKENIZER_UNREADABLE", "no tokenizer.json");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": [1, 2");
        assertInvalid("TOKENIZER_UNREADABLE", "the tokenizer cannot be loaded");

        TestModels.llama(dir, "llama", (byte) 0);
        Path weights = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertInvalid("WEIGHTS_UNREADABLE", "truncated file?");
        Files.write(weights, new byte[] {1, 2, 3});
        assertInvalid("WEIGHTS_UNREADABLE", "shorter than the 8-byte header length");
        Files.write(weights, "garbage that is not a safetensors file at all".getBytes());
        assertInvalid("WEIGHTS_UNREADABLE", "not a safetensors file, or truncated");
        Files.delete(weights);
        Files.write(dir.resolve("pytorch_model.bin"), new byte[16]);
        assertInvalid("WEIGHTS_UNREADABLE", "pickled PyTorch checkpoints are not read");
    }

    @Test
    void aTensorWhoseBytesDoNotMatchItsShapeIsRefused() throws Exception {
        TestModels.llama(dir, "llama", (byte) 0);
        TestModels.safetensors(dir.resolve("model.safetensors"), List.of(new Tensor("model.layers.0.self_attn.q_proj.weight",
                "F32", 8, 8)), (byte) 0);
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("[8,8]", "[8,9]");
        Files.write(dir.resolve("model.safetensors"), text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertInvalid("WEIGHTS_UNREADABLE", "spans 256 bytes but F32[8, 9] needs 288");
    }

    private void assertInvalid(String code, String message) {
        assertThatThrownBy(() -> inspector.inspect(dir)).isInstanceOf(BaseModelInvalidException.class)
                .hasMessageContaining(message).extracting("code").isEqualTo(code);
    }
}
