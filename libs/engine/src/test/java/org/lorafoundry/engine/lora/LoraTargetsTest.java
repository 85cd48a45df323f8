package org.lorafoundry.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModelLoader;

/** PEFT's target_modules / exclude_modules / layers_to_transform / rank_pattern / modules_to_save rules. */
class LoraTargetsTest {
    private static NDManager manager;
    private static CausalLanguageModel gpt2;
    private static CausalLanguageModel llama;
    private static CausalLanguageModel qwen2;

    @BeforeAll
    static void load() throws Exception {
        manager = EngineRuntime.newManager();
        gpt2 = ModelLoader.load(Fixtures.model("gpt2"), manager);
        llama = ModelLoader.load(Fixtures.model("llama"), manager);
        qwen2 = ModelLoader.load(Fixtures.model("qwen2"), manager);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static List<String> targets(CausalLanguageModel model, LoraConfig.Builder b) {
        return LoraTargets.resolve(b.build(), model).targets().stream().map(LoraTargets.Target::module).toList();
    }

    private static final String Q0 = "model.layers.0.self_attn.q_proj";
    private static final String Q1 = "model.layers.1.self_attn.q_proj";

    @Test
    void nullTargetsArePeftsArchitectureDefaults() {
        assertThat(targets(gpt2, LoraConfig.builder())).containsExactly("transformer.h.0.attn.c_attn",
                "transformer.h.1.attn.c_attn");
        assertThat(targets(llama, LoraConfig.builder())).containsExactly(Q0, "model.layers.0.self_attn.v_proj", Q1,
                "model.layers.1.self_attn.v_proj");
        LoraTargets t = LoraTargets.resolve(LoraConfig.defaults(), qwen2);
        assertThat(t.config().targetModules()).isEqualTo(ModuleSelector.names("q_proj", "v_proj"));
        assertThat(t.targets()).hasSize(4);
    }

    @Test
    void listEntriesMatchTheWholeNameOrADottedSuffix() {
        assertThat(targets(llama, LoraConfig.builder().targetModules(Q0))).containsExactly(Q0);
        assertThat(targets(llama, LoraConfig.builder().targetModules("self_attn.q_proj"))).containsExactly(Q0, Q1);
        assertThat(targets(gpt2, LoraConfig.builder().targetModules("c_proj"))).hasSize(4);
        assertThat(targets(gpt2, LoraConfig.builder().targetModules("mlp.c_proj")))
                .containsExactly("transformer.h.0.mlp.c_proj", "transformer.h.1.mlp.c_proj");
        // A suffix must start at a dot: "elf_attn.q_proj" and "proj" select nothing.
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModules("elf_attn.q_proj")))
                .isInstanceOf(LoraConfigException.class).hasMessageContaining("matched no module");
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModules("proj")))
                .isInstanceOf(LoraConfigException.class);
    }

    @Test
    void aStringIsARegexThatMustMatchTheWholeName() {
        assertThat(targets(llama, LoraConfig.builder().targetModulesRegex(".*q_proj"))).containsExactly(Q0, Q1);
        assertThat(targets(llama, LoraConfig.builder().targetModulesRegex(".*\\.1\\..*(up|down)_proj")))
                .containsExactly("model.layers.1.mlp.up_proj", "model.layers.1.mlp.down_proj");
        // No search semantics: "q_proj" as a string is a regex for the name "q_proj" alone.
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModulesRegex("q_proj")))
                .isInstanceOf(LoraConfigException.class)
                .hasMessageContaining("'q_proj'")
                .hasMessageContaining("model.layers.0.self_attn.q_proj");
        // Python named groups work.
        assertThat(targets(llama, LoraConfig.builder().targetModulesRegex(".*(?P<kind>q|k)_proj"))).hasSize(4);
    }

    @Test
    void allLinearIsEveryLinearButTheOutputHead() {
        assertThat(targets(llama, LoraConfig.builder().targetModulesRegex("all-linear"))).hasSize(14)
                .doesNotContain("lm_head");
        assertThat(targets(gpt2, LoraConfig.builder().targetModulesRegex("ALL-LINEAR"))).hasSize(8)
                .doesNotContain("lm_head");
        // The head can still be targeted by name.
        assertThat(targets(llama, LoraConfig.builder().targetModules("lm_head"))).containsExactly("lm_head");
    }

    @Test
    void excludeModulesAsListOrRegex() {
        assertThat(targets(llama, LoraConfig.builder().targetModulesRegex("all-linear")
                .excludeModules(ModuleSelector.names("mlp.down_proj", Q0)))).hasSize(11).doesNotContain(Q0);
        assertThat(targets(llama, LoraConfig.builder().targetModules("q_proj", "k_proj")
                .excludeModules(ModuleSelector.regex(".*\\.0\\..*")))).containsExactly(Q1,
                        "model.layers.1.self_attn.k_proj");
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModules("q_proj")
                .excludeModules(ModuleSelector.names("q_proj"))))
                .hasMessageContaining("minus exclude_modules").hasMessageContaining("excluded");
    }

    @Test
    void layersToTransformUsesTheFirstIndexOfTheLayersPattern() {
        assertThat(targets(llama, LoraConfig.builder().targetModules("q_proj", "v_proj").layersToTransform(1)))
                .containsExactly(Q1, "model.layers.1.self_attn.v_proj");
        assertThat(targets(gpt2, LoraConfig.builder().targetModules("c_attn").layersToTransform(0).layersPattern("h")))
                .containsExactly("transformer.h.0.attn.c_attn");
        assertThat(targets(llama, LoraConfig.builder().targetModules("q_proj").layersToTransform(0, 1)
                .layersPattern("nothing", "layers"))).containsExactly(Q0, Q1);
        // Exact names bypass the layer filter (as in PEFT); lm_head has no layer index and is dropped.
        assertThat(targets(llama, LoraConfig.builder().targetModules(Q0, "lm_head").layersToTransform(1)))
                .containsExactly(Q0, "lm_head");
        assertThat(targets(llama, LoraConfig.builder().targetModules("q_proj", "head").layersToTransform(1)))
                .containsExactly(Q1);
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModules("q_proj").layersToTransform(7)))
                .hasMessageContaining("layers_to_transform [7]");
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModules("q_proj").layersToTransform(0)
                .layersPattern("h"))).hasMessageContaining("layers_pattern [h]");
    }

    @Test
    void rankAndAlphaPatternsFirstMatchOfAWholeNameOrDottedSuffix() {
        LoraTargets t = LoraTargets.resolve(LoraConfig.builder().targetModulesRegex("all-linear").r(8).loraAlpha(16)
                .rankPattern(Map.of()).rankPattern("layers\\.1\\.self_attn\\.q_proj", 3).rankPattern("q_proj", 5)
                .rankPattern("proj", 7).alphaPattern("v_proj", 2).alphaPattern("model.layers.0.mlp.up_proj", 4)
                .build(), llama);
        Map<String, LoraTargets.Target> by = new java.util.HashMap<>();
        t.targets().forEach(x -> by.put(x.module(), x));
        assertThat(by.get(Q1).r()).as("first key wins").isEqualTo(3);
        assertThat(by.get(Q0).r()).isEqualTo(5);
        assertThat(by.get("model.layers.0.self_attn.k_proj").r()).as("'proj' is not a suffix of k_proj").isEqualTo(8);
        assertThat(by.get("model.layers.0.self_attn.v_proj").alpha()).isEqualTo(2.0);
        assertThat(by.get("model.layers.0.self_attn.v_proj").scaling()).isEqualTo(2.0 / 8);
        assertThat(by.get("model.layers.0.mlp.up_proj").alpha()).isEqualTo(4.0);
        assertThat(by.get("model.layers.1.mlp.up_proj").alpha()).isEqualTo(16.0);
        LoraTargets rs = LoraTargets.resolve(LoraConfig.builder().targetModules("q_proj").r(4).loraAlpha(8)
                .useRslora(true).rankPattern("layers.1.self_attn.q_proj", 16).build(), llama);
        assertThat(rs.targets().get(0).scaling()).isEqualTo(4.0);
        assertThat(rs.targets().get(1).scaling()).isEqualTo(2.0);
        assertThat(LoraTargets.patternKey(Map.of("^model.*q_proj", 1), Q0)).isEqualTo("^model.*q_proj");
    }

    @Test
    void modulesToSaveIsAPlainSuffixAndExcludesItsModulesFromLora() {
        LoraTargets t = LoraTargets.resolve(LoraConfig.builder().targetModules("q_proj").modulesToSave("norm")
                .build(), qwen2);
        assertThat(t.modulesToSave()).containsExactlyInAnyOrder("model.norm", "model.layers.0.input_layernorm",
                "model.layers.0.post_attention_layernorm", "model.layers.1.input_layernorm",
                "model.layers.1.post_attention_layernorm");
        assertThat(t.savedParameters()).hasSize(5).allMatch(p -> p.endsWith("norm.weight"));
        LoraTargets g = LoraTargets.resolve(LoraConfig.builder().targetModules("c_attn", "c_proj")
                .modulesToSave("mlp.c_proj").build(), gpt2);
        assertThat(g.targets()).extracting(LoraTargets.Target::module).containsExactly("transformer.h.0.attn.c_attn",
                "transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_attn", "transformer.h.1.attn.c_proj");
        assertThat(g.savedParameters()).containsExactly("transformer.h.0.mlp.c_proj.weight",
                "transformer.h.0.mlp.c_proj.bias", "transformer.h.1.mlp.c_proj.weight",
                "transformer.h.1.mlp.c_proj.bias");
        assertThatThrownBy(() -> LoraTargets.resolve(LoraConfig.builder().modulesToSave("score").build(), llama))
                .hasMessageContaining("modules_to_save entry 'score' matches no module");
    }

    @Test
    void biasAllSavesEveryBiasLoraOnlyTheTargetedOnes() {
        LoraTargets all = LoraTargets.resolve(LoraConfig.builder().bias(LoraConfig.Bias.ALL).build(), gpt2);
        assertThat(all.savedParameters()).hasSize(13).allMatch(p -> p.endsWith(".bias"))
                .contains("transformer.h.0.ln_1.bias", "transformer.ln_f.bias", "transformer.h.1.mlp.c_fc.bias");
        LoraTargets only = LoraTargets.resolve(LoraConfig.builder().bias(LoraConfig.Bias.LORA_ONLY)
                .targetModules("q_proj", "o_proj").build(), qwen2);
        assertThat(only.savedParameters()).containsExactly("model.layers.0.self_attn.q_proj.bias",
                "model.layers.1.self_attn.q_proj.bias");
        assertThat(LoraTargets.resolve(LoraConfig.builder().bias(LoraConfig.Bias.ALL).build(), llama)
                .savedParameters()).as("llama has no biases").isEmpty();
    }

    @Test
    void modulesThatAreNotLinearProjectionsAreRefused() {
        assertThatThrownBy(() -> targets(gpt2, LoraConfig.builder().targetModules("ln_1")))
                .isInstanceOf(UnsupportedLoraConfigException.class).hasMessageContaining("transformer.h.0.ln_1")
                .hasMessageContaining("not linear projections");
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModules("embed_tokens")))
                .isInstanceOf(UnsupportedLoraConfigException.class);
        assertThatThrownBy(() -> targets(gpt2, LoraConfig.builder().targetModulesRegex(".*attn.*")))
                .as("the attention block itself matches").isInstanceOf(UnsupportedLoraConfigException.class)
                .hasMessageContaining("transformer.h.0.attn");
    }

    @Test
    void aConfigMatchingNothingIsAnErrorNamingPatternsAndModules() {
        assertThatThrownBy(() -> targets(gpt2, LoraConfig.builder().targetModules("q_proj", "v_proj")))
                .isInstanceOf(LoraConfigException.class)
                .hasMessageContaining("[q_proj, v_proj]")
                .hasMessageContaining("gpt2")
                .hasMessageContaining("transformer.h.0.attn.c_attn");
        assertThatThrownBy(() -> targets(llama, LoraConfig.builder().targetModulesRegex("[unclosed")))
                .hasMessageContaining("not a valid regular expression");
    }
}
