package org.lorafoundry.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.Fixtures;

class ModelConfigTest {

    @Test
    void gpt2UsesItsOwnFieldNamesAndDefaults() throws Exception {
        ModelConfig c = ModelConfig.load(Fixtures.model("gpt2"));
        assertThat(c.architecture()).isEqualTo(Architecture.GPT2);
        assertThat(c.hiddenSize()).isEqualTo(32);
        assertThat(c.numLayers()).isEqualTo(2);
        assertThat(c.numHeads()).isEqualTo(4);
        assertThat(c.numKvHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.intermediateSize()).isEqualTo(128); // n_inner null -> 4 * n_embd
        assertThat(c.maxPositions()).isEqualTo(64);
        assertThat(c.normEps()).isEqualTo(1e-5);
        assertThat(c.activation()).isEqualTo("gelu_new");
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.ropeTheta()).isNaN();
    }

    @Test
    void llamaReadsTransformers5RopeParametersAndGqa() throws Exception {
        ModelConfig c = ModelConfig.load(Fixtures.model("llama"));
        assertThat(c.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(c.ropeTheta()).isEqualTo(1000.0);
        assertThat(c.numKvHeads()).isEqualTo(2);
        assertThat(c.groupSize()).isEqualTo(2);
        assertThat(c.normEps()).isEqualTo(1e-5);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.qkvBias()).isFalse();
        assertThat(c.eosTokenIds()).containsExactly(2L);
        ModelConfig tied = ModelConfig.load(Fixtures.model("llama-tied"));
        assertThat(tied.headDim()).isEqualTo(16);
        assertThat(tied.queryWidth()).isEqualTo(64);
        assertThat(tied.numKvHeads()).isEqualTo(1);
        assertThat(tied.tieWordEmbeddings()).isTrue();
        assertThat(tied.dtype()).isEqualTo("float16");
    }

    @Test
    void qwen2HasQkvBiasesButNoOutputBias() throws Exception {
        ModelConfig c = ModelConfig.load(Fixtures.model("qwen2"));
        assertThat(c.architecture()).isEqualTo(Architecture.QWEN2);
        assertThat(c.qkvBias()).isTrue();
        assertThat(c.outputBias()).isFalse();
        assertThat(c.mlpBias()).isFalse();
        assertThat(c.ropeTheta()).isEqualTo(1_000_000.0);
    }

    @Test
    void olderTopLevelRopeThetaIsRead() {
        ModelConfig c = ModelConfig.parse("""
                {"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 1,
                 "intermediate_size": 128, "vocab_size": 10, "rope_theta": 500000.0, "rope_scaling": null}""", null);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.numKvHeads()).isEqualTo(4); // absent -> multi-head
        assertThat(c.headDim()).isEqualTo(16);
    }

    @Test
    void unknownArchitectureNamesTheSupportedOnes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"mistral\", \"hidden_size\": 8}");
        assertThatThrownBy(() -> ModelConfig.load(dir))
                .isInstanceOf(UnsupportedArchitectureException.class)
                .hasMessageContaining("'mistral'")
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("supported architectures: gpt2, llama, qwen2")
                .satisfies(e -> assertThat(((UnsupportedArchitectureException) e).modelType()).isEqualTo("mistral"));
        assertThatThrownBy(() -> ModelConfig.parse("{\"hidden_size\": 8}", null))
                .isInstanceOf(UnsupportedArchitectureException.class).hasMessageContaining("gpt2, llama, qwen2");
        assertThatThrownBy(() -> ModelLoader.load(dir, null)).isInstanceOf(UnsupportedArchitectureException.class);
    }

    @Test
    void unsupportedVariantsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"model_type": "llama", "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0}}""", null))
                .hasMessageContaining("rope_type 'llama3' is not supported");
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"model_type": "qwen2", "use_sliding_window": true, "sliding_window": 4096,
                 "layer_types": ["sliding_attention"]}""", null))
                .hasMessageContaining("sliding");
        assertThatThrownBy(() -> ModelConfig.parse("""
                {"model_type": "llama", "num_attention_heads": 6, "num_key_value_heads": 4}""", null))
                .hasMessageContaining("not a multiple of num_key_value_heads");
        assertThatThrownBy(() -> ModelConfig.parse("{\"model_type\": \"gpt2\", \"n_embd\": -3}", null))
                .hasMessageContaining("n_embd must be a positive integer");
        assertThatThrownBy(() -> ModelConfig.parse("not json", null)).isInstanceOf(ModelConfigException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void checkpointThatDoesNotMatchItsConfigIsRefused(@TempDir Path dir) throws Exception {
        Path src = Fixtures.model("llama");
        for (String f : new String[] {"model.safetensors"}) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("\"intermediate_size\": 80", "\"intermediate_size\": 96"));
        try (var manager = org.lorafoundry.engine.EngineRuntime.newManager()) {
            assertThatThrownBy(() -> ModelLoader.load(dir, manager)).isInstanceOf(ModelConfigException.class)
                    .hasMessageContaining("mlp.gate_proj.weight").hasMessageContaining("[80, 32]")
                    .hasMessageContaining("[96, 32]");
            assertThat(manager.getManagedArrays()).as("a failed load frees what it loaded").isEmpty();
        }
    }
}
