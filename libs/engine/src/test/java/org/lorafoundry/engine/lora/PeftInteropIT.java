package org.lorafoundry.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.PythonOracle;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.SafetensorsWriter;

/**
 * Live LoRA parity with PEFT, both directions. (1) PEFT writes fresh adapters (seed 1234, make_peft_fixtures.py) and
 * the committed-fixture checks run on them. (2) The engine creates adapters for the same kinds of configs, perturbs
 * them, saves them in PEFT's format and saves the merged models; PEFT loads the adapters (peft_oracle.py) and its
 * logits, merge_and_unload() logits, parameter counts and state dict must equal the engine's, and transformers loads
 * the engine's merged models with the same logits. Skipped (with the reason) without a Python oracle.
 */
class PeftInteropIT {
    static final List<String> CASES = PeftCases.CASES;
    static final int SEED = 1234;
    private static Path python;
    private static Path live;
    private static Path engineOut;
    private static NDManager manager;

    /** Engine-side configs, built with the Java builder, covering what the PEFT cases cover. */
    static final Map<String, LoraConfig> ENGINE_CASES = new LinkedHashMap<>();
    static final List<String> ENGINE_CASE_NAMES;

    static {
        ENGINE_CASES.put("gpt2-default", LoraConfig.builder().r(8).loraAlpha(16).build());
        ENGINE_CASES.put("gpt2-all-linear", LoraConfig.builder().targetModulesRegex("all-linear").r(4).loraAlpha(8)
                .useRslora(true).rankPattern("c_fc", 2).rankPattern("h\\.1\\.attn\\.c_proj", 6)
                .alphaPattern("mlp.c_proj", 3).taskType(null).build());
        ENGINE_CASES.put("gpt2-bias-save", LoraConfig.builder().targetModules("c_attn", "mlp.c_proj").r(4).loraAlpha(4)
                .bias(LoraConfig.Bias.ALL).modulesToSave("ln_f").build());
        ENGINE_CASES.put("gpt2-layers", LoraConfig.builder().targetModules("c_attn", "c_proj").layersToTransform(1)
                .layersPattern("h").excludeModules(ModuleSelector.names("mlp.c_proj")).initLoraWeights("gaussian")
                .r(2).loraAlpha(4).loraDropout(0.1).build());
        ENGINE_CASES.put("llama-default", LoraConfig.builder().r(8).loraAlpha(16).loraDropout(0.05).build());
        ENGINE_CASES.put("llama-all-linear", LoraConfig.builder().targetModulesRegex("all-linear").r(4).loraAlpha(8)
                .useRslora(true).rankPattern("down_proj", 2).rankPattern("layers\\.1\\.self_attn\\.q_proj", 6)
                .alphaPattern("v_proj", 4).modulesToSave("lm_head").build());
        ENGINE_CASES.put("llama-regex", LoraConfig.builder()
                .targetModulesRegex(".*\\.layers\\.1\\.(self_attn\\.(k|o)_proj|mlp\\.up_proj)")
                .excludeModules(ModuleSelector.regex(".*o_proj")).r(4).loraAlpha(8).build());
        ENGINE_CASES.put("llama-pissa", LoraConfig.builder().targetModules("q_proj", "v_proj", "down_proj")
                .initLoraWeights("pissa").r(4).loraAlpha(8).build());
        ENGINE_CASES.put("qwen2-default", LoraConfig.builder().r(8).loraAlpha(16).build());
        ENGINE_CASES.put("qwen2-bias-norm", LoraConfig.builder().targetModules("q_proj", "k_proj", "v_proj", "o_proj")
                .layersToTransform(0).bias(LoraConfig.Bias.LORA_ONLY).modulesToSave("norm").r(4).loraAlpha(16)
                .build());
        ENGINE_CASES.put("qwen2-all", LoraConfig.builder().targetModulesRegex("all-linear").bias(LoraConfig.Bias.ALL)
                .r(4).loraAlpha(8).build());
        ENGINE_CASE_NAMES = List.copyOf(ENGINE_CASES.keySet());
    }

    private static Map<String, JsonNode> reports;
    private static Map<String, float[]> engineAdapterLogits;
    private static Map<String, float[]> engineMergedLogits;
    private static Map<String, Long[]> engineCounts;
    private static Map<String, List<String>> engineModules;

    @BeforeAll
    static void regenerate() throws Exception {
        python = PythonOracle.requireOrSkip("live LoRA parity with PEFT");
        PythonOracle.Result peft = PythonOracle.run(python, 120, "-c", "import peft");
        if (peft.exitCode() != 0) {
            PythonOracle.requireOrSkip("live LoRA parity with PEFT (" + python + " cannot import peft)");
            org.junit.jupiter.api.Assumptions.abort(python + " cannot import peft");
        }
        Path target = PythonOracle.engineDir().resolve("target");
        live = target.resolve("live-peft");
        engineOut = target.resolve("live-peft-engine");
        long start = System.nanoTime();
        String log = PythonOracle.check(python, 600, PythonOracle.script("make_peft_fixtures.py").toString(),
                "--base-root", Fixtures.root().toString(), "--out", live.toString(), "--seed", String.valueOf(SEED));
        System.out.printf("[live] make_peft_fixtures.py --seed %d took %.1f s%n%s", SEED,
                (System.nanoTime() - start) / 1e9, log.lines().filter(l -> l.contains("trainable"))
                        .map(l -> "[live] " + l + "\n").reduce("", String::concat));
        manager = EngineRuntime.newManager();
        writeEngineAdaptersAndAskPeft();
    }

    @AfterAll
    static void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    /** Creates, perturbs and saves every engine case, then runs peft_oracle.py once over all of them. */
    private static void writeEngineAdaptersAndAskPeft() throws Exception {
        engineAdapterLogits = new LinkedHashMap<>();
        engineMergedLogits = new LinkedHashMap<>();
        engineCounts = new LinkedHashMap<>();
        engineModules = new LinkedHashMap<>();
        ArrayNode jobs = Fixtures.JSON.createArrayNode();
        int seed = 0;
        for (Map.Entry<String, LoraConfig> e : ENGINE_CASES.entrySet()) {
            String name = e.getKey();
            String arch = name.substring(0, name.indexOf('-'));
            Path base = Fixtures.model(arch);
            Path dir = engineOut.resolve(name);
            Path merged = engineOut.resolve(name + "-merged");
            Path ids = engineOut.resolve(name + "-ids.safetensors");
            try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(base, scope)) {
                LoraAdapter a = lora.createAdapter("engine", e.getValue(), ++seed);
                LoraTesting.perturb(a, 100 + seed, 0.05);
                lora.saveAdapter("engine", dir);
                lora.saveMerged("engine", merged);
                PeftCases.Logits ref = PeftCases.logits(PeftCases.committed().resolve(name));
                new SafetensorsWriter().put("input_ids", ref.idShape(), ref.ids()).write(ids);
                NDArray in = ref.ids(scope);
                engineAdapterLogits.put(name, lora.forward(in, null, "engine").toFloatArray());
                ParameterCount c = lora.parameterCount("engine");
                engineCounts.put(name, new Long[] {c.trainable(), c.total()});
                engineModules.put(name, new ArrayList<>(a.layers().keySet()));
                lora.merge("engine");
                engineMergedLogits.put(name, lora.forward(in, null, "engine").toFloatArray());
            }
            ObjectNode job = jobs.addObject();
            job.put("ids", ids.toString());
            job.put("out", engineOut.resolve(name + "-peft.safetensors").toString());
            job.put("base", base.toString());
            job.put("adapter", dir.toString());
            job.put("model", merged.toString());
        }
        Path jobsFile = engineOut.resolve("jobs.json");
        Files.writeString(jobsFile, jobs.toString());
        long start = System.nanoTime();
        String out = PythonOracle.check(python, 600, PythonOracle.script("peft_oracle.py").toString(), "--batch",
                jobsFile.toString());
        System.out.printf("[live] peft_oracle.py over %d engine adapters took %.1f s%n", jobs.size(),
                (System.nanoTime() - start) / 1e9);
        String last = out.strip().lines().reduce((x, y) -> y).orElseThrow();
        JsonNode list = Fixtures.JSON.readTree(last);
        reports = new LinkedHashMap<>();
        for (int i = 0; i < ENGINE_CASE_NAMES.size(); i++) {
            reports.put(ENGINE_CASE_NAMES.get(i), list.get(i));
        }
    }

    private static Path liveCase(String name) {
        return live.resolve(name);
    }

    private static Path base(String name) {
        return Fixtures.model(PeftCases.reference(liveCase(name)).base());
    }

    // ------------------------------------------------------------------------------- PEFT-written, live (seed 1234)

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void livePeftAdapterGivesPeftLogits(String name) throws Exception {
        assertThat(PeftCases.reference(liveCase(name)).json().get("seed").asInt()).isEqualTo(SEED);
        PeftParity.adapterLogits(liveCase(name), base(name), manager);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void liveMergeEqualsPeft(String name) throws Exception {
        PeftParity.merged(liveCase(name), base(name), manager, live.resolve("tmp"));
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void liveCountsTargetsAndSaveRoundTrip(String name) throws Exception {
        PeftParity.countsAndTargets(liveCase(name), base(name), manager);
        PeftParity.saveRoundTrip(liveCase(name), base(name), manager, live.resolve("tmp"));
    }

    @Test
    void liveAdaptersDifferFromTheCommittedOnes() throws Exception {
        assertThat(Files.readAllBytes(liveCase("llama-default").resolve(LoraModel.WEIGHTS_FILE)))
                .isNotEqualTo(Files.readAllBytes(PeftCases.committed().resolve("llama-default")
                        .resolve(LoraModel.WEIGHTS_FILE)));
    }

    // -------------------------------------------------------------------------- engine-written, loaded by PEFT

    @ParameterizedTest(name = "{0}")
    @FieldSource("ENGINE_CASE_NAMES")
    void engineAdapterLoadsInPeftWithTheSameLogits(String name) throws Exception {
        JsonNode report = reports.get(name);
        float[] peftAdapter;
        float[] peftMerged;
        float[] transformersMerged;
        try (SafetensorsReader r = SafetensorsReader.open(engineOut.resolve(name + "-peft.safetensors"))) {
            peftAdapter = r.tensor("adapter_logits").toFloatArray();
            peftMerged = r.tensor("merged_logits").toFloatArray();
            transformersMerged = r.tensor("model_logits").toFloatArray();
        }
        double adapter = PeftCases.maxAbsDiff(engineAdapterLogits.get(name), peftAdapter);
        double merged = PeftCases.maxAbsDiff(engineMergedLogits.get(name), peftMerged);
        double saved = PeftCases.maxAbsDiff(engineMergedLogits.get(name), transformersMerged);
        System.out.println(PeftParity.line("engine adapter in PEFT", name, adapter));
        System.out.println(PeftParity.line("PEFT merge_and_unload of it", name, merged));
        System.out.println(PeftParity.line("engine merged in transformers", name, saved));
        assertThat(adapter).isLessThan(PeftParity.TOLERANCE);
        assertThat(merged).isLessThan(PeftParity.TOLERANCE);
        assertThat(saved).isLessThan(PeftParity.TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("ENGINE_CASE_NAMES")
    void peftLoadsEveryEngineTensorAndCountsTheSame(String name) {
        JsonNode report = reports.get(name);
        assertThat(PeftCases.texts(report.get("missing_in_peft"))).as("tensors PEFT did not take").isEmpty();
        assertThat(PeftCases.texts(report.get("extra_in_peft"))).as("tensors PEFT has that we did not write")
                .allMatch(PeftCases::isQuirkKey);
        assertThat(report.get("state_dict_max_abs_diff").asDouble()).isZero();
        assertThat(PeftCases.texts(report.get("warnings"))).isEmpty();
        assertThat(report.get("trainable_parameters").asLong()).isEqualTo(engineCounts.get(name)[0]);
        assertThat(report.get("all_parameters").asLong()).isEqualTo(engineCounts.get(name)[1]);
        assertThat(PeftCases.texts(report.get("adapted_modules")))
                .containsExactlyInAnyOrderElementsOf(engineModules.get(name));
    }
}
