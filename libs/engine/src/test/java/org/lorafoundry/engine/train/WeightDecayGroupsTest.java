package org.lorafoundry.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.nn.Parameter;

/**
 * HF Trainer's weight-decay groups (the committed training fixtures also compare the groups with
 * {@code Trainer.get_decay_parameter_names} on two configurations: see TrainingParity).
 */
class WeightDecayGroupsTest {
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static List<String> names(List<Parameter> ps) {
        return ps.stream().map(Parameter::name).toList();
    }

    @Test
    void biasesAndNormWeightsAreExemptMatricesDecay() throws Exception {
        try (NDManager scope = manager.newSubManager();
                LoraModel qwen = LoraModel.load(Fixtures.model("qwen2"), scope);
                LoraModel gpt2 = LoraModel.load(Fixtures.model("gpt2"), scope)) {
            qwen.createAdapter("a", LoraConfig.builder().targetModules("q_proj", "v_proj").bias(LoraConfig.Bias.ALL)
                    .modulesToSave("embed_tokens", "norm").build(), 1);
            WeightDecayGroups q = WeightDecayGroups.of(qwen.adapter("a").trainableParameters(), qwen.base().modules());
            assertThat(names(q.noDecay())).isNotEmpty()
                    .allSatisfy(n -> assertThat(n).matches(".*(\\.bias|norm\\.weight)"))
                    .contains("model.norm.weight", "model.layers.0.input_layernorm.weight",
                            "model.layers.0.self_attn.k_proj.bias");
            assertThat(names(q.decay())).contains("model.embed_tokens.weight",
                    "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
                    .allSatisfy(n -> assertThat(n).matches(".*(lora_[AB]\\.weight|embed_tokens\\.weight)"));
            assertThat(q.decay().size() + q.noDecay().size()).isEqualTo(qwen.adapter("a").trainableParameters().size());

            // GPT-2's LayerNorms are named ln_*: exempt by type, as transformers exempts nn.LayerNorm
            gpt2.createAdapter("a", LoraConfig.builder().targetModules("c_attn").bias(LoraConfig.Bias.ALL)
                    .modulesToSave("ln_f", "wpe").build(), 1);
            WeightDecayGroups g = WeightDecayGroups.of(gpt2.adapter("a").trainableParameters(), gpt2.base().modules());
            assertThat(names(g.noDecay())).contains("transformer.ln_f.weight", "transformer.ln_f.bias",
                    "transformer.h.0.ln_1.bias", "transformer.h.0.attn.c_attn.bias")
                    .doesNotContain("transformer.wpe.weight");
            assertThat(names(g.decay())).contains("transformer.wpe.weight");
        }
    }

    @Test
    void adamWDecaysOnlyTheDecayGroup() throws Exception {
        try (NDManager scope = manager.newSubManager();
                LoraModel qwen = LoraModel.load(Fixtures.model("qwen2"), scope)) {
            qwen.createAdapter("a", LoraConfig.builder().targetModules("q_proj").bias(LoraConfig.Bias.ALL)
                    .initLoraWeights("false").modulesToSave("norm").build(), 1);
            List<Parameter> params = qwen.adapter("a").trainableParameters();
            WeightDecayGroups groups = WeightDecayGroups.of(params, qwen.base().modules());
            params.forEach(p -> p.value().setRequiresGradient(true));
            try (NDManager step = scope.newSubManager(); AdamW adamW = new AdamW(groups, 0.9, 0.999, 1e-8, 0.5, step)) {
                NDArray zero = step.create(0f);
                try (GradientCollector c = step.getEngine().newGradientCollector()) {
                    NDArray total = step.create(0f);
                    for (Parameter p : params) {
                        total = total.add(p.value().sum().mul(zero)); // every gradient exists and is 0
                    }
                    c.backward(total);
                }
                List<float[]> before = params.stream().map(p -> LoraTrainerTest.values(p.value())).toList();
                adamW.step(0.1); // a zero gradient moves nothing: only decay, p *= 1 - 0.1 * 0.5
                for (int i = 0; i < params.size(); i++) {
                    Parameter p = params.get(i);
                    float[] after = LoraTrainerTest.values(p.value());
                    float[] expected = before.get(i).clone();
                    if (groups.decays(p)) {
                        for (int j = 0; j < expected.length; j++) {
                            expected[j] *= 0.95f;
                        }
                    }
                    assertThat(after).as(p.name()).containsExactly(expected);
                }
            } finally {
                params.forEach(p -> p.value().setRequiresGradient(false));
            }
            assertThat(groups.decay()).isNotEmpty();
            assertThat(groups.noDecay()).isNotEmpty();
        }
    }
}
