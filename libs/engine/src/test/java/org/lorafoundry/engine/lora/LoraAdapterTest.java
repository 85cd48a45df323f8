package org.lorafoundry.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModelConfig;
import org.lorafoundry.engine.model.ModelLoader;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;

/** New adapters (PEFT's inits, PiSSA), dropout, save/load errors, tied heads, adapter bookkeeping. */
class LoraAdapterTest {
    private static NDManager manager;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    private static NDArray ids(NDManager m) throws java.io.IOException {
        return PeftCases.logits(PeftCases.committed().resolve("llama-default")).ids(m);
    }

    private static float[] floats(LoraModel lora, NDArray ids, String adapter) {
        return lora.forward(ids, null, adapter).toFloatArray();
    }

    @Test
    void defaultInitIsKaimingUniformAAndZeroBSoTheModelIsUnchanged() throws Exception {
        for (String arch : new String[] {"gpt2", "llama", "qwen2"}) {
            try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model(arch), scope)) {
                LoraAdapter a = lora.createAdapter("new", LoraConfig.builder().targetModulesRegex("all-linear").build(),
                        1);
                for (LoraWeights w : a.layers().values()) {
                    float[] av = w.loraA().value().toFloatArray();
                    double bound = 1 / Math.sqrt(w.linear().inFeatures());
                    assertThat(maxAbs(av)).isLessThanOrEqualTo(bound).isGreaterThan(bound / 2);
                    assertThat(w.loraB().value().toFloatArray()).containsOnly(0f);
                    assertThat(w.loraA().checkpointShape()).containsExactly(8, w.linear().inFeatures());
                    assertThat(w.loraB().checkpointShape()).containsExactly(w.linear().outFeatures(), 8);
                }
                NDArray ids = ids(scope);
                assertThat(PeftCases.maxAbsDiff(floats(lora, ids, "new"), floats(lora, ids, null))).isZero();
                if (arch.equals("gpt2")) {
                    assertThat(lora.parameterCount("new").toString())
                            .isEqualTo("trainable params: 8,192 || all params: 45,952 || trainable%: 17.8273");
                }
            }
        }
    }

    @Test
    void gaussianAndFalseInitsAndSeeds() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            LoraAdapter g = lora.createAdapter("g", LoraConfig.builder().targetModulesRegex("all-linear").r(4)
                    .initLoraWeights("gaussian").build(), 7);
            double sum = 0;
            double sq = 0;
            long n = 0;
            for (LoraWeights w : g.layers().values()) {
                for (float x : w.loraA().value().toFloatArray()) {
                    sum += x;
                    sq += x * x;
                    n++;
                }
                assertThat(w.loraB().value().toFloatArray()).containsOnly(0f);
            }
            double std = Math.sqrt(sq / n - (sum / n) * (sum / n));
            assertThat(std).as("std 1/r").isCloseTo(0.25, org.assertj.core.data.Offset.offset(0.02));

            LoraAdapter f = lora.createAdapter("f", LoraConfig.builder().initLoraWeights(false).build(), 7);
            LoraAdapter same = lora.createAdapter("same", LoraConfig.builder().initLoraWeights(false).build(), 7);
            LoraAdapter other = lora.createAdapter("other", LoraConfig.builder().initLoraWeights(false).build(), 8);
            LoraWeights w = f.layers().values().iterator().next();
            assertThat(maxAbs(w.loraB().value().toFloatArray())).isLessThanOrEqualTo(1 / Math.sqrt(8));
            assertThat(w.loraB().value().toFloatArray()).doesNotContain(0f);
            assertThat(same.layers().get(w.module()).loraB().value().toFloatArray())
                    .containsExactly(w.loraB().value().toFloatArray());
            assertThat(other.layers().get(w.module()).loraB().value().toFloatArray())
                    .isNotEqualTo(w.loraB().value().toFloatArray());
            NDArray ids = ids(scope);
            assertThat(PeftCases.maxAbsDiff(floats(lora, ids, "f"), floats(lora, ids, null))).isGreaterThan(1e-3);
        }
    }

    @Test
    void pissaStartsAtTheBaseAndCarriesThePrincipalComponents() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            LoraAdapter p = lora.createAdapter("pissa", LoraConfig.builder().targetModules("q_proj", "down_proj").r(4)
                    .loraAlpha(8).initLoraWeights("pissa").build(), 1);
            NDArray ids = ids(scope);
            assertThat(PeftCases.maxAbsDiff(floats(lora, ids, "pissa"), floats(lora, ids, null))).isZero();
            // scaling * B0 A0 is the best rank-4 approximation: what is left has no larger singular value than the
            // 5th of W; equivalently |W - sBA|_F^2 = |W|_F^2 - sum of the top-4 squared singular values.
            LoraWeights w = p.layers().get("model.layers.0.mlp.down_proj");
            double[] wv = toDoubles(w.linear().weight()); // [in, out]
            double[] delta = toDoubles(w.loraA().value().matMul(w.loraB().value()));
            double residual = 0;
            double total = 0;
            for (int i = 0; i < wv.length; i++) {
                residual += Math.pow(wv[i] - w.scaling() * delta[i], 2);
                total += wv[i] * wv[i];
            }
            double captured = 0;
            int in = w.linear().inFeatures();
            int out = w.linear().outFeatures();
            double[] gram = new double[out * out];
            for (int a = 0; a < out; a++) {
                for (int b = 0; b < out; b++) {
                    double s = 0;
                    for (int i = 0; i < in; i++) {
                        s += wv[i * out + a] * wv[i * out + b];
                    }
                    gram[a * out + b] = s;
                }
            }
            double[] values = new double[out];
            PissaInit.jacobi(gram, out, values, new double[out][out]);
            java.util.Arrays.sort(values);
            for (int k = 0; k < 4; k++) {
                captured += values[out - 1 - k];
            }
            assertThat(residual).isCloseTo(total - captured, org.assertj.core.data.Offset.offset(1e-4 * total));
            // Saved as PEFT saves PiSSA (init_lora_weights "pissa"), it reloads to the same function.
            LoraTesting.perturb(p, 3, 0.05);
            lora.saveAdapter("pissa", tmp.resolve("pissa"));
            assertThat(LoraConfigJson.read(tmp.resolve("pissa")).initLoraWeights()).isEqualTo("pissa");
            lora.loadAdapter("again", tmp.resolve("pissa"));
            assertThat(PeftCases.maxAbsDiff(floats(lora, ids, "pissa"), floats(lora, ids, "again"))).isLessThan(1e-5);
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void jacobiDiagonalisesASymmetricMatrix() {
        int n = 23;
        Random rng = new Random(5);
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                m[i * n + j] = m[j * n + i] = rng.nextGaussian();
            }
        }
        double[] copy = m.clone();
        double[] values = new double[n];
        double[][] vectors = new double[n][n];
        PissaInit.jacobi(copy, n, values, vectors);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += vectors[i][k] * values[k] * vectors[j][k];
                }
                assertThat(s).isCloseTo(m[i * n + j], org.assertj.core.data.Offset.offset(1e-10));
            }
        }
    }

    @Test
    void dropoutAppliesToTheAdapterInputInTrainingPassesOnly() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            lora.createAdapter("d", LoraConfig.builder().loraDropout(0.5).initLoraWeights(false).build(), 1);
            NDArray ids = ids(scope);
            float[] eval1 = floats(lora, ids, "d");
            float[] eval2 = floats(lora, ids, "d");
            assertThat(eval1).containsExactly(eval2);
            float[] train = lora.base().forward(ids, null, lora.context("d", true)).toFloatArray();
            assertThat(PeftCases.maxAbsDiff(train, eval1)).isGreaterThan(1e-4);
            // No adapter, training: no dropout anywhere else (the base has none).
            assertThat(lora.base().forward(ids, null, lora.context(null, true)).toFloatArray())
                    .containsExactly(floats(lora, ids, null));
        }
    }

    /** Copies a PEFT fixture to tmp so that the test can break it. */
    private Path copyOf(String name) throws Exception {
        Path src = PeftCases.committed().resolve(name);
        Path dst = tmp.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve(f.getFileName()));
            }
        }
        return dst;
    }

    private static void editConfig(Path dir, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        Path f = dir.resolve(LoraConfigJson.FILE_NAME);
        ObjectNode o = (ObjectNode) Fixtures.JSON.readTree(Files.readString(f));
        edit.accept(o);
        Files.writeString(f, o.toString());
    }

    /** Rewrites adapter_model.safetensors with one tensor changed (null = removed) or added. */
    private static void editWeights(Path dir, String key, long[] shape, float[] values) throws Exception {
        Path f = dir.resolve(LoraModel.WEIGHTS_FILE);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            for (String n : r.names()) {
                if (!n.equals(key)) {
                    w.put(n, r.tensor(n).shape(), r.tensor(n).toFloatArray());
                }
            }
        }
        if (shape != null) {
            w.put(key, shape, values);
        }
        w.write(f);
    }

    @Test
    void brokenAdaptersFailWithTheReason() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            String a0 = "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight";
            Path d = copyOf("llama-default");
            editWeights(d, a0, new long[] {4, 32}, new float[128]);
            assertThatThrownBy(() -> lora.loadAdapter("x", d)).isInstanceOf(LoraConfigException.class)
                    .hasMessageContaining("has shape [4, 32], expected [8, 32]");
            Path missing = copyOf("llama-default");
            editWeights(missing, "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight", null, null);
            assertThatThrownBy(() -> lora.loadAdapter("x", missing)).hasMessageContaining("lacks lora_B")
                    .hasMessageContaining("model.layers.1.self_attn.v_proj");
            Path extra = copyOf("llama-default");
            editWeights(extra, "base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight", new long[] {8, 32},
                    new float[256]);
            assertThatThrownBy(() -> lora.loadAdapter("x", extra)).hasMessageContaining("does not select");
            Path dora = copyOf("llama-default");
            editWeights(dora, "base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector",
                    new long[] {32}, new float[32]);
            assertThatThrownBy(() -> lora.loadAdapter("x", dora)).isInstanceOf(UnsupportedLoraConfigException.class)
                    .hasMessageContaining("DoRA");
            Path unknown = copyOf("llama-default");
            editWeights(unknown, "base_model.model.model.layers.0.mlp.nonsense.weight", new long[] {2}, new float[2]);
            assertThatThrownBy(() -> lora.loadAdapter("x", unknown))
                    .hasMessageContaining("neither LoRA weights nor a parameter");
            Path ia3 = copyOf("llama-default");
            editConfig(ia3, o -> o.put("peft_type", "IA3"));
            assertThatThrownBy(() -> lora.loadAdapter("x", ia3)).hasMessageContaining("only LORA adapters");
            Path olora = copyOf("llama-default");
            editConfig(olora, o -> o.put("init_lora_weights", "olora"));
            assertThatThrownBy(() -> lora.loadAdapter("x", olora)).isInstanceOf(UnsupportedLoraConfigException.class)
                    .hasMessageContaining("rewrites the base weights");
            Path bin = copyOf("llama-default");
            Files.move(bin.resolve(LoraModel.WEIGHTS_FILE), bin.resolve("adapter_model.bin"));
            assertThatThrownBy(() -> lora.loadAdapter("x", bin)).hasMessageContaining("pickled adapters");
            Path wrongBase = copyOf("gpt2-default");
            assertThatThrownBy(() -> lora.loadAdapter("x", wrongBase)).hasMessageContaining("c_attn")
                    .hasMessageContaining("matched no module");
            assertThat(lora.adapterNames()).isEmpty();
            // The failures left nothing behind: a good adapter still loads and runs.
            lora.loadAdapter("ok", PeftCases.committed().resolve("llama-default"));
            lora.forward(ids(scope), null, "ok").close();
        }
    }

    @Test
    void forwardMergeAndUnmergeLeaveNothingBehind() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("gpt2"), scope)) {
            LoraAdapter a = lora.createAdapter("a", LoraConfig.builder().targetModulesRegex("all-linear")
                    .bias(LoraConfig.Bias.ALL).modulesToSave("ln_f").loraDropout(0.1).initLoraWeights(false).build(), 1);
            int weights = lora.base().manager().getManagedArrays().size();
            int adapterArrays = a.manager().getManagedArrays().size();
            try (NDManager call = scope.newSubManager()) {
                NDArray ids = call.create(new long[] {1, 2, 3, 4, 5, 6}, new ai.djl.ndarray.types.Shape(2, 3));
                for (int i = 0; i < 3; i++) {
                    lora.forward(ids, null, "a").close();
                    lora.base().forward(ids, null, lora.context("a", true)).close();
                    lora.merge("a");
                    lora.forward(ids, null, "a").close();
                    lora.unmerge();
                }
                assertThat(call.getManagedArrays()).hasSize(1); // the ids
            }
            assertThat(lora.base().manager().getManagedArrays()).hasSize(weights);
            assertThat(a.manager().getManagedArrays()).hasSize(adapterArrays);
        }
    }

    @Test
    void adapterBookkeeping() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("gpt2"), scope)) {
            lora.createAdapter("a", LoraConfig.defaults(), 1);
            assertThatThrownBy(() -> lora.createAdapter("a", LoraConfig.defaults(), 1))
                    .hasMessageContaining("exists already");
            assertThatThrownBy(() -> lora.createAdapter("a.b", LoraConfig.defaults(), 1))
                    .hasMessageContaining("without '.'");
            assertThatThrownBy(() -> lora.forward(ids(scope), null, "nope")).hasMessageContaining("no adapter 'nope'");
            assertThatThrownBy(() -> lora.createAdapter("x", LoraConfig.builder().initLoraWeights("eva").build(), 1))
                    .isInstanceOf(UnsupportedLoraConfigException.class);
            lora.removeAdapter("a");
            assertThat(lora.adapterNames()).isEmpty();
            assertThat(lora.base().modules().linear("transformer.h.0.attn.c_attn").adapter()).isNull();
        }
    }

    @Test
    void loraOnATiedHeadRunsButDoesNotMerge() throws Exception {
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(Fixtures.model("llama-tied"), scope)) {
            lora.createAdapter("head", LoraConfig.builder().targetModules("lm_head").initLoraWeights(false).build(), 1);
            NDArray ids = ids(scope);
            assertThat(PeftCases.maxAbsDiff(floats(lora, ids, "head"), floats(lora, ids, null))).isGreaterThan(1e-3);
            assertThatThrownBy(() -> lora.merge("head")).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("tied");
        }
    }

    /** modules_to_save on GPT-2's tied head: the copy unties it, and the saved merged model says so. */
    @Test
    void savedCopyOfATiedHeadUntiesTheMergedCheckpoint() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("gpt2"), scope)) {
            LoraAdapter a = lora.createAdapter("a", LoraConfig.builder().modulesToSave("lm_head").build(), 1);
            LoraTesting.perturb(a, 2, 0.05);
            NDArray ids = ids(scope);
            float[] expected = floats(lora, ids, "a");
            lora.saveMerged("a", tmp.resolve("merged"));
            assertThat(ModelConfig.load(tmp.resolve("merged")).tieWordEmbeddings()).isFalse();
            try (CausalLanguageModel m = ModelLoader.load(tmp.resolve("merged"), scope)) {
                assertThat(PeftCases.maxAbsDiff(m.forward(ids).toFloatArray(), expected)).isLessThan(1e-5);
            }
            // Without a change to the head the merged checkpoint stays tied.
            lora.createAdapter("b", LoraConfig.defaults(), 1);
            lora.saveMerged("b", tmp.resolve("merged-b"));
            assertThat(ModelConfig.load(tmp.resolve("merged-b")).tieWordEmbeddings()).isTrue();
            try (SafetensorsReader r = SafetensorsReader.open(tmp.resolve("merged-b/model.safetensors"))) {
                assertThat(r.names()).doesNotContain("lm_head.weight").contains("transformer.wte.weight");
            }
        }
    }
}
