package org.lorafoundry.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.model.Architecture;

/** LoraConfig: PEFT's defaults, adapter_config.json as PEFT writes it, refusals. */
class LoraConfigTest {
    static final List<String> CASES = PeftCases.CASES;

    private static LoraConfig parse(String fields) {
        return LoraConfigJson.parse("{\"peft_type\": \"LORA\"" + (fields.isEmpty() ? "" : ", " + fields) + "}", "test");
    }

    @Test
    void defaultsArePefts() {
        LoraConfig c = LoraConfig.defaults();
        assertThat(c.r()).isEqualTo(8);
        assertThat(c.loraAlpha()).isEqualTo(8.0);
        assertThat(c.loraDropout()).isZero();
        assertThat(c.targetModules()).isNull();
        assertThat(c.excludeModules()).isNull();
        assertThat(c.bias()).isEqualTo(LoraConfig.Bias.NONE);
        assertThat(c.useRslora()).isFalse();
        assertThat(c.initLoraWeights()).isEqualTo("true");
        assertThat(c.layersToTransform()).isNull();
        assertThat(c.rankPattern()).isEmpty();
        assertThat(c.alphaPattern()).isEmpty();
        assertThat(c.modulesToSave()).isNull();
        assertThat(c.taskType()).as("new adapters say what they are").isEqualTo("CAUSAL_LM");
        assertThat(c.scaling(8, 8)).isEqualTo(1.0);
        // A file with nothing but peft_type: PEFT's dataclass defaults, task_type None.
        LoraConfig parsed = parse("");
        assertThat(parsed).isEqualTo(c.toBuilder().taskType(null).build());
    }

    @Test
    void scalingIsAlphaOverROrOverSqrtRWithRslora() {
        assertThat(LoraConfig.builder().r(4).loraAlpha(16).build().scaling(4, 16)).isEqualTo(4.0);
        assertThat(LoraConfig.builder().useRslora(true).build().scaling(16, 8)).isEqualTo(2.0);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void everyPeftWrittenConfigParsesToWhatPeftWasGiven(String name) throws Exception {
        Path dir = PeftCases.committed().resolve(name);
        LoraConfig c = LoraConfigJson.read(dir);
        JsonNode given = PeftCases.reference(dir).json().get("lora_config");
        assertThat(c.r()).isEqualTo(given.get("r").asInt());
        assertThat(c.loraAlpha()).isEqualTo(given.get("lora_alpha").asDouble());
        assertThat(c.useRslora()).isEqualTo(given.path("use_rslora").asBoolean(false));
        assertThat(c.bias().peftName()).isEqualTo(given.path("bias").asText("none"));
        assertThat(c.loraDropout()).isEqualTo(given.path("lora_dropout").asDouble(0));
        assertThat(c.initLoraWeights()).isEqualTo(given.path("init_lora_weights").asText("true"));
        assertThat(c.taskType()).isEqualTo(given.has("task_type") ? given.get("task_type").asText() : null);
        if (given.has("rank_pattern")) {
            assertThat(c.rankPattern()).containsExactlyEntriesOf(Fixtures.JSON.convertValue(given.get("rank_pattern"),
                    new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Integer>>() {
                    }));
        }
        // And what we write back parses to the same config.
        LoraConfig again = LoraConfigJson.parse(LoraConfigJson.write(c, Architecture.LLAMA), "rewritten");
        assertThat(again).isEqualTo(c);
    }

    @Test
    void peftValueFormsAreAccepted() throws Exception {
        LoraConfig c = LoraConfigJson.read(PeftCases.committed().resolve("gpt2-layers"));
        assertThat(c.targetModules()).isEqualTo(ModuleSelector.names("c_attn", "c_proj"));
        assertThat(c.excludeModules()).isEqualTo(ModuleSelector.names("mlp.c_proj"));
        assertThat(c.layersToTransform()).containsExactly(1);
        assertThat(c.layersPattern()).containsExactly("h");
        assertThat(c.initLoraWeights()).isEqualTo("gaussian");

        LoraConfig regex = LoraConfigJson.read(PeftCases.committed().resolve("llama-regex"));
        assertThat(regex.targetModules().isRegex()).isTrue();
        assertThat(regex.excludeModules()).isEqualTo(ModuleSelector.regex(".*o_proj"));

        LoraConfig forms = parse("\"target_modules\": \"all-linear\", \"layers_pattern\": null, \"init_lora_weights\":"
                + " false, \"lora_alpha\": 16.5, \"rank_pattern\": {\"^model.*q_proj\": 4}, \"alpha_pattern\": {\"v\": 2},"
                + " \"modules_to_save\": [\"lm_head\"], \"bias\": \"lora_only\"");
        assertThat(forms.targetModules().isAllLinear()).isTrue();
        assertThat(forms.initLoraWeights()).isEqualTo("false");
        assertThat(forms.loraAlpha()).isEqualTo(16.5);
        assertThat(forms.rankPattern()).containsExactly(Map.entry("^model.*q_proj", 4));
        assertThat(forms.alphaPattern()).containsExactly(Map.entry("v", 2.0));
        assertThat(forms.bias()).isEqualTo(LoraConfig.Bias.LORA_ONLY);
        assertThat(parse("\"layers_to_transform\": 3, \"target_modules\": [\"q_proj\"]").layersToTransform())
                .containsExactly(3);
        assertThat(parse("\"layers_to_transform\": [], \"target_modules\": [\"q_proj\"]").layersToTransform()).isNull();
        assertThat(parse("\"init_lora_weights\": \"pissa_niter_4\"").isPissa()).isTrue();
    }

    @Test
    void unknownFieldsAreIgnoredKnownUnsupportedOnesRefused() {
        assertThat(parse("\"some_field_of_peft_0_30\": {\"x\": 1}, \"r\": 4").r()).isEqualTo(4);
        assertThat(parse("\"use_dora\": false, \"lora_bias\": false, \"target_parameters\": null,"
                + " \"layer_replication\": null, \"megatron_config\": null, \"loftq_config\": {}").r()).isEqualTo(8);
        assertThatThrownBy(() -> parse("\"use_dora\": true")).isInstanceOf(UnsupportedLoraConfigException.class)
                .hasMessageContaining("DoRA");
        assertThatThrownBy(() -> parse("\"lora_bias\": true")).isInstanceOf(UnsupportedLoraConfigException.class);
        assertThatThrownBy(() -> parse("\"target_parameters\": [\"experts.weight\"]"))
                .isInstanceOf(UnsupportedLoraConfigException.class);
        assertThatThrownBy(() -> parse("\"trainable_token_indices\": [1, 2]"))
                .isInstanceOf(UnsupportedLoraConfigException.class);
        assertThatThrownBy(() -> parse("\"task_type\": \"SEQ_CLS\"")).isInstanceOf(UnsupportedLoraConfigException.class)
                .hasMessageContaining("CAUSAL_LM");
    }

    @Test
    void otherPeftTypesAndBadValuesAreRefused() {
        assertThatThrownBy(() -> LoraConfigJson.parse("{\"peft_type\": \"IA3\", \"r\": 8}", "x.json"))
                .isInstanceOf(LoraConfigException.class).hasMessageContaining("IA3").hasMessageContaining("LORA");
        assertThatThrownBy(() -> LoraConfigJson.parse("{\"r\": 8}", "x.json")).hasMessageContaining("peft_type");
        assertThatThrownBy(() -> LoraConfigJson.parse("not json", "x.json")).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse("\"r\": 0")).hasMessageContaining("r must be a positive");
        assertThatThrownBy(() -> parse("\"r\": \"8\"")).hasMessageContaining("r must be an integer");
        assertThatThrownBy(() -> parse("\"bias\": \"some\"")).hasMessageContaining("none, all, lora_only");
        assertThatThrownBy(() -> parse("\"lora_dropout\": 1.5")).hasMessageContaining("lora_dropout");
        assertThatThrownBy(() -> parse("\"init_lora_weights\": \"magic\"")).hasMessageContaining("init_lora_weights");
        assertThatThrownBy(() -> parse("\"rank_pattern\": {\"q\": -1}")).hasMessageContaining("rank_pattern['q']");
        assertThatThrownBy(() -> parse("\"target_modules\": \".*q_proj\", \"layers_to_transform\": [0]"))
                .hasMessageContaining("layers_to_transform cannot be used when target_modules is a str");
        assertThatThrownBy(() -> parse("\"target_modules\": [\"q_proj\"], \"layers_pattern\": \"layers\""))
                .hasMessageContaining("layers_to_transform must also be specified");
    }

    @Test
    void writtenJsonHasPeftsFieldsSortedWithPeftsValueForms() throws Exception {
        LoraConfig c = LoraConfig.builder().r(16).loraAlpha(32).targetModules("q_proj", "v_proj")
                .initLoraWeights("gaussian").baseModelNameOrPath("org/base").build();
        JsonNode json = Fixtures.JSON.readTree(LoraConfigJson.write(c, Architecture.LLAMA));
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isSorted();
        // Every field PEFT 0.21 writes (taken from a file it wrote) is there, its version aside.
        JsonNode peft = Fixtures.json(PeftCases.committed().resolve("llama-default").resolve("adapter_config.json"));
        List<String> peftKeys = new ArrayList<>();
        peft.fieldNames().forEachRemaining(peftKeys::add);
        peftKeys.remove("peft_version");
        assertThat(keys).containsExactlyElementsOf(peftKeys);
        assertThat(json.get("lora_alpha").isIntegralNumber()).isTrue();
        assertThat(json.get("r").asInt()).isEqualTo(16);
        assertThat(json.get("init_lora_weights").asText()).isEqualTo("gaussian");
        assertThat(json.get("target_modules").isArray()).isTrue();
        assertThat(json.get("peft_type").asText()).isEqualTo("LORA");
        assertThat(json.get("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(json.get("base_model_name_or_path").asText()).isEqualTo("org/base");
        assertThat(json.get("fan_in_fan_out").asBoolean()).isFalse();
        JsonNode gpt2 = Fixtures.JSON.readTree(LoraConfigJson.write(LoraConfig.builder().taskType(null)
                .initLoraWeights(true).targetModulesRegex("all-linear").build(), Architecture.GPT2));
        assertThat(gpt2.get("fan_in_fan_out").asBoolean()).as("Conv1D").isTrue();
        assertThat(gpt2.get("init_lora_weights").isBoolean()).isTrue();
        assertThat(gpt2.get("target_modules").asText()).isEqualTo("all-linear");
        assertThat(gpt2.get("auto_mapping").get("base_model_class").asText()).isEqualTo("GPT2LMHeadModel");
        assertThat(gpt2.get("task_type").isNull()).isTrue();
    }

    @Test
    void missingConfigFileIsNamed(@org.junit.jupiter.api.io.TempDir Path tmp) {
        assertThatThrownBy(() -> LoraConfigJson.read(tmp)).hasMessageContaining("no adapter_config.json");
        assertThat(Files.exists(tmp)).isTrue();
    }
}
