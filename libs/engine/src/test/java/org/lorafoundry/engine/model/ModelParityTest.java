package org.lorafoundry.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.Parity;

/** Logits of the committed fixtures equal transformers' (fp32, 1e-4), for every architecture. */
class ModelParityTest {
    static final List<String> MODELS = Fixtures.MODELS;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void logitsMatchTransformers(String name) throws Exception {
        Parity.LogitsComparison c = Parity.logits(Fixtures.model(name), manager, true);
        System.out.println("[parity] " + c);
        assertThat(c.maxAbsReference()).as("reference logits are not trivially small").isGreaterThan(0.5);
        assertThat(c.maxAbsDiff()).as("max |logits - transformers| for %s", name).isLessThan(Parity.LOGITS_TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void copiedWeightsGiveTheSameLogitsAsMappedOnes(String name) throws Exception {
        Parity.LogitsComparison mapped = Parity.logits(Fixtures.model(name), manager, true);
        Parity.LogitsComparison copied = Parity.logits(Fixtures.model(name), manager, false);
        assertThat(copied.maxAbsDiff()).isEqualTo(mapped.maxAbsDiff());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void modulesAreNamedAsTransformersNamesThem(String name) throws Exception {
        Path dir = Fixtures.model(name);
        JsonNode ref = Fixtures.reference(dir);
        List<String> expected = new ArrayList<>();
        ref.get("modules").forEach(m -> expected.add(m.asText()));
        try (NDManager scope = manager.newSubManager(); CausalLanguageModel model = ModelLoader.load(dir, scope)) {
            assertThat(model.modules().names()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(model.parameterCount()).isEqualTo(ref.get("parameters").asLong());
        }
    }

    @Test
    void gpt2RegistryHasFusedConv1dModulesForPeftTargets() throws Exception {
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model("gpt2"), scope)) {
            var cAttn = model.modules().linear("transformer.h.0.attn.c_attn");
            assertThat(cAttn.checkpointLayout()).isEqualTo(org.lorafoundry.engine.nn.Linear.CheckpointLayout.IN_OUT);
            assertThat(cAttn.inFeatures()).isEqualTo(32);
            assertThat(cAttn.outFeatures()).isEqualTo(96);
            assertThat(cAttn.weightKey()).isEqualTo("transformer.h.0.attn.c_attn.weight");
            assertThat(cAttn.biasKey()).isEqualTo("transformer.h.0.attn.c_attn.bias");
            assertThat(model.modules().matching(List.of("c_attn"))).extracting(l -> l.name())
                    .containsExactly("transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn");
            assertThat(model.modules().linear("lm_head").tiedTo()).isEqualTo("transformer.wte");
        }
    }

    @Test
    void llamaRegistryMatchesPeftTargetSemantics() throws Exception {
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model("qwen2"), scope)) {
            ModuleRegistry modules = model.modules();
            assertThat(modules.matching(List.of("q_proj", "v_proj"))).extracting(l -> l.name()).containsExactly(
                    "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj",
                    "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");
            assertThat(modules.matchingRegex(".*\\.mlp\\..*_proj")).hasSize(6);
            var k = modules.linear("model.layers.1.self_attn.k_proj");
            assertThat(k.checkpointLayout()).isEqualTo(org.lorafoundry.engine.nn.Linear.CheckpointLayout.OUT_IN);
            assertThat(k.weight().getShape()).isEqualTo(new Shape(32, 16)); // [in, out]: GQA, 2 kv heads of 8
            assertThat(k.bias()).isNotNull();
            assertThat(modules.linear("model.layers.1.self_attn.o_proj").bias()).isNull();
            assertThatThrownBy(() -> modules.linear("model.layers.9.self_attn.q_proj"))
                    .hasMessageContaining("model.layers.0.self_attn.q_proj");
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void forwardLeavesNothingBehindButTheLogits(String name) throws Exception {
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model(name), scope)) {
            int weights = model.manager().getManagedArrays().size();
            try (NDManager call = scope.newSubManager()) {
                NDArray ids = call.create(new long[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
                for (int i = 0; i < 3; i++) {
                    model.forward(ids).close();
                }
                assertThat(call.getManagedArrays()).hasSize(1); // the ids
            }
            assertThat(model.manager().getManagedArrays()).hasSize(weights);
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void rightPaddingDoesNotChangeTheLogitsOfRealTokens(String name) throws Exception {
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model(name), scope)) {
            NDArray alone = model.forward(scope.create(new long[] {5, 17, 42, 7}, new Shape(1, 4)));
            NDArray ids = scope.create(new long[] {5, 17, 42, 7, 0, 0, 9, 8, 7, 6, 5, 4}, new Shape(2, 6));
            NDArray mask = scope.create(new long[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, new Shape(2, 6));
            NDArray padded = model.forward(ids, mask);
            NDArray firstRow = padded.get(new NDIndex("0:1, 0:4, :"));
            assertThat(firstRow.sub(alone).abs().max().getFloat()).isLessThan(1e-5f);
            NDArray unpadded = model.forward(ids.get(new NDIndex("1:2, :")));
            assertThat(padded.get(new NDIndex("1:2, :, :")).sub(unpadded).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() throws Exception {
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model("llama"), scope)) {
            NDArray ids = scope.create(new long[] {1, 320}, new Shape(1, 2));
            assertThatThrownBy(() -> model.forward(ids)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[0, 320)");
        }
    }
}
