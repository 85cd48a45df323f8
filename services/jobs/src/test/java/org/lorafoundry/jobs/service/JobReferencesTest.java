package org.lorafoundry.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.LoraConfig;
import org.lorafoundry.proto.v1.ModelConfigSummary;
import org.lorafoundry.proto.v1.ResolvedBaseModel;

class JobReferencesTest {

    private static final ResolvedBaseModel LLAMA = ResolvedBaseModel.newBuilder().setName("tiny-llama")
            .setConfig(ModelConfigSummary.newBuilder().setModelType("llama").setNumHiddenLayers(2)
                    .addLinearModuleNames("model.layers.0.self_attn.q_proj")
                    .addLinearModuleNames("model.layers.0.mlp.down_proj")
                    .addLinearModuleNames("model.layers.1.self_attn.q_proj")).build();

    @Test
    void allLinearIsPeftsSpecialValueInEitherFieldNotARegex() {
        assertThat(violations(LoraConfig.newBuilder().setTargetModulesRegex("all-linear"))).isEmpty();
        assertThat(violations(LoraConfig.newBuilder().setTargetModulesRegex("ALL-LINEAR"))).isEmpty();
        assertThat(violations(LoraConfig.newBuilder().addTargetModules("all-linear"))).isEmpty();
    }

    @Test
    void targetsThatMatchNoLinearModuleAreRefused() {
        assertThat(violations(LoraConfig.newBuilder().setTargetModulesRegex(".*\\.c_attn")))
                .singleElement().satisfies(v -> assertThat(v).contains("target_modules_regex", "NOT_FOUND"));
        assertThat(violations(LoraConfig.newBuilder().addTargetModules("c_attn")))
                .singleElement().satisfies(v -> assertThat(v).contains("target_modules", "NOT_FOUND"));
        assertThat(violations(LoraConfig.newBuilder().addTargetModules("q_proj").addLayersToTransform(2)))
                .singleElement().satisfies(v -> assertThat(v).contains("layers_to_transform", "OUT_OF_RANGE"));
    }

    private static java.util.List<String> violations(LoraConfig.Builder lora) {
        Violations violations = new Violations();
        JobReferences.checkLoraAgainstArchitecture(lora.build(), LLAMA, violations);
        return violations.result().violations().stream().map(v -> v.getField() + " " + v.getCode()).toList();
    }
}
