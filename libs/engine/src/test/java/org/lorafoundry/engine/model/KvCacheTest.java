package org.lorafoundry.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.nn.ForwardContext;
import org.lorafoundry.engine.nn.Parameter;
import org.lorafoundry.engine.safetensors.SafetensorsReader;

/**
 * Incremental decoding with a KV cache gives the full-sequence logits, with and without an adapter, and frees itself.
 */
class KvCacheTest {
    static final List<String> MODELS = Fixtures.MODELS;
    /** Prefill, a chunk over the cache (a causal mask with past keys), then single tokens. */
    static final int[] STEPS = {5, 3, 1, 1, 1, 1};
    static final double TOLERANCE = 1e-5;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    /** The first row of the fixture's transformers input ids (12 tokens, starting with "Hello, world!"). */
    static long[] ids(String model) throws Exception {
        try (SafetensorsReader ref = SafetensorsReader.open(Fixtures.model(model).resolve("logits.safetensors"))) {
            return Arrays.copyOf(ref.tensor("input_ids").toLongArray(), 12);
        }
    }

    /** Every linear projection adapted, A and B both random (init false), so the deltas reach keys and values. */
    static LoraModel withAdapter(String model, NDManager scope) throws Exception {
        LoraModel lora = LoraModel.load(Fixtures.model(model), scope);
        lora.createAdapter("a", LoraConfig.builder().targetModulesRegex("all-linear").r(4).loraAlpha(8)
                .initLoraWeights("false").build(), 7);
        return lora;
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void incrementalLogitsEqualTheFullSequenceLogits(String model) throws Exception {
        long[] ids = ids(model);
        try (NDManager scope = manager.newSubManager(); LoraModel lora = withAdapter(model, scope)) {
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            for (String adapter : Arrays.asList("a", null)) {
                NDArray full = lora.forward(input, null, adapter);
                double max = 0;
                try (KvCache cache = lora.newKvCache(scope)) {
                    int at = 0;
                    for (int step : STEPS) {
                        NDArray chunk = input.get(new NDIndex(":, {}:{}", at, at + step));
                        NDArray logits = lora.forwardWithCache(chunk, cache, adapter);
                        NDArray expected = full.get(new NDIndex(":, {}:{}, :", at, at + step));
                        assertThat(logits.getShape()).isEqualTo(expected.getShape());
                        max = Math.max(max, logits.sub(expected).abs().max().getFloat());
                        at += step;
                        assertThat(cache.length()).isEqualTo(at);
                    }
                }
                System.out.printf("[kv-cache] %-10s %-5s max |incremental - full| = %.2e%n", model,
                        adapter == null ? "base" : "lora", max);
                assertThat(max).as("%s with %s", model, adapter).isLessThanOrEqualTo(TOLERANCE);
            }
            // The adapter moves the logits, so the comparison above covers the LoRA path too.
            NDArray withLora = lora.forward(input, null, "a");
            NDArray base = lora.forward(input, null, null);
            assertThat(withLora.sub(base).abs().max().getFloat()).isGreaterThan(0.05f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void closingTheCacheFreesEverythingItHeld(String model) throws Exception {
        long[] ids = ids(model);
        try (NDManager scope = manager.newSubManager(); LoraModel lora = withAdapter(model, scope)) {
            int weights = lora.base().manager().getManagedArrays().size();
            try (NDManager call = scope.newSubManager()) {
                NDArray input = call.create(ids, new Shape(1, ids.length));
                KvCache cache = lora.newKvCache(call);
                int at = 0;
                for (int step : STEPS) {
                    lora.forwardWithCache(input.get(new NDIndex(":, {}:{}", at, at + step)), cache, "a").close();
                    at += step;
                }
                // The cache holds exactly one key and one value array per layer, whatever the number of steps.
                assertThat(cache.toString()).contains(at + " tokens");
                cache.close();
                assertThat(cache.isClosed()).isTrue();
                // Left: the ids and the views taken of them (closed with the call's manager).
                assertThat(call.getManagedArrays()).hasSize(1 + STEPS.length);
            }
            assertThat(lora.base().manager().getManagedArrays()).hasSize(weights);
        }
    }

    @Test
    void cacheHoldsOneKeyAndValueArrayPerLayer() throws Exception {
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model("llama"), scope);
                KvCache cache = model.newKvCache(scope)) {
            NDArray ids = scope.create(new long[] {5, 17, 42, 7}, new Shape(1, 4));
            int before = scope.getManagedArrays().size();
            for (int i = 0; i < 4; i++) {
                model.forwardWithCache(ids.get(new NDIndex(":, {}:{}", i, i + 1)), cache, ForwardContext.BASE)
                        .close();
            }
            // getManagedArrays counts sub-managers' arrays too: the four id views, and the cache's 2 per layer.
            assertThat(scope.getManagedArrays().size() - before).isEqualTo(4 + 2 * model.config().numLayers());
            cache.close();
            assertThat(scope.getManagedArrays().size() - before).isEqualTo(4);
        }
    }

    @Test
    void aFailedPassLeavesTheCacheAsItWas() throws Exception {
        long[] ids = ids("llama");
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(Fixtures.model("llama"), scope);
                KvCache cache = model.newKvCache(scope)) {
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            NDArray full = model.forward(input);
            model.forwardWithCache(input.get(new NDIndex(":, 0:6")), cache, ForwardContext.BASE);
            ForwardContext failsInTheSecondLayer = new ForwardContext() {
                @Override
                public NDArray value(Parameter p) {
                    if (p.name().contains("layers.1.")) {
                        throw new IllegalStateException("boom");
                    }
                    return p.value();
                }
            };
            assertThatThrownBy(() -> model.forwardWithCache(input.get(new NDIndex(":, 6:7")), cache,
                    failsInTheSecondLayer)).hasMessage("boom");
            assertThat(cache.length()).isEqualTo(6);
            NDArray next = model.forwardWithCache(input.get(new NDIndex(":, 6:12")), cache, ForwardContext.BASE);
            assertThat(next.sub(full.get(new NDIndex(":, 6:12, :"))).abs().max().getFloat())
                    .isLessThanOrEqualTo((float) TOLERANCE);
        }
    }

    @Test
    void refusesWhatWouldMixUpTheCachedKeys() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = withAdapter("gpt2", scope);
                CausalLanguageModel other = ModelLoader.load(Fixtures.model("gpt2"), scope)) {
            NDArray one = scope.create(new long[] {5, 17}, new Shape(1, 2));
            NDArray two = scope.create(new long[] {5, 17, 3, 4}, new Shape(2, 2));
            try (KvCache cache = lora.newKvCache(scope)) {
                lora.forwardWithCache(one, cache, "a");
                assertThatThrownBy(() -> lora.forwardWithCache(one, cache, null))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adapter 'a'")
                        .hasMessageContaining("the base model");
                assertThatThrownBy(() -> lora.forwardWithCache(two, cache, "a"))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("holds 1 rows");
                assertThatThrownBy(() -> other.forwardWithCache(one, cache, ForwardContext.BASE))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another model");
                assertThatThrownBy(() -> lora.base().forwardWithCache(one, cache, lora.context("a", true)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inference");
                assertThat(cache.length()).isEqualTo(2);
                cache.close();
                assertThatThrownBy(() -> lora.forwardWithCache(one, cache, "a"))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            }
            // GPT-2's learned positions end at n_positions (64): the cache counts towards them.
            try (KvCache cache = lora.newKvCache(scope)) {
                long[] ids = new long[60];
                lora.forwardWithCache(scope.create(ids, new Shape(1, 60)), cache, null);
                assertThatThrownBy(() -> lora.forwardWithCache(scope.create(new long[5], new Shape(1, 5)), cache, null))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("60 cached + 5 tokens exceeds gpt2's n_positions 64");
            }
        }
    }
}
