package org.lorafoundry.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;

/** LoRA parity with PEFT 0.21 on the committed adapters of fixtures/peft (PEFT-written, seed 42). */
class PeftParityTest {
    static final List<String> CASES = PeftCases.CASES;
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

    private static Path dir(String name) {
        return PeftCases.committed().resolve(name);
    }

    private static Path base(String name) {
        return Fixtures.model(PeftCases.reference(dir(name)).base());
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void peftAdapterGivesPeftLogits(String name) throws Exception {
        PeftParity.adapterLogits(dir(name), base(name), manager);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void mergeEqualsPeftMergeAndUnloadAndUnmergeRestoresTheBase(String name) throws Exception {
        PeftParity.merged(dir(name), base(name), manager, tmp);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void trainableParametersAndTargetsEqualPeft(String name) throws Exception {
        PeftParity.countsAndTargets(dir(name), base(name), manager);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void savedAdapterHasPeftNamesAndReloads(String name) throws Exception {
        PeftParity.saveRoundTrip(dir(name), base(name), manager, tmp);
    }

    /** Two adapters on one base, chosen per call (also concurrently), each gives its own PEFT logits. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void severalAdaptersOnOneBaseChosenPerCall(String arch) throws Exception {
        List<String> cases = CASES.stream().filter(c -> c.startsWith(arch + "-")).toList();
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(Fixtures.model(arch), scope)) {
            List<PeftCases.Logits> refs = new ArrayList<>();
            for (String c : cases) {
                lora.loadAdapter(c, dir(c));
                refs.add(PeftCases.logits(dir(c)));
            }
            assertThat(lora.adapterNames()).containsExactlyElementsOf(cases);
            // Interleaved, and with the base alone in between: no state carries over from one call to the next.
            for (int round = 0; round < 2; round++) {
                for (int i = cases.size() - 1; i >= 0; i--) {
                    NDArray ids = refs.get(i).ids(scope);
                    double d = PeftCases.maxAbsDiff(lora.forward(ids, null, cases.get(i)).toFloatArray(),
                            refs.get(i).peft());
                    assertThat(d).as(cases.get(i)).isLessThan(PeftParity.TOLERANCE);
                    lora.forward(ids, null, null).close();
                }
            }
            // Concurrently: each thread its own adapter.
            ExecutorService pool = Executors.newFixedThreadPool(cases.size());
            try {
                List<Future<Double>> results = new ArrayList<>();
                for (int i = 0; i < cases.size(); i++) {
                    int k = i;
                    results.add(pool.submit(() -> {
                        double worst = 0;
                        for (int n = 0; n < 5; n++) {
                            try (NDManager m = scope.newSubManager()) {
                                float[] out = lora.forward(refs.get(k).ids(m), null, cases.get(k)).toFloatArray();
                                worst = Math.max(worst, PeftCases.maxAbsDiff(out, refs.get(k).peft()));
                            }
                        }
                        return worst;
                    }));
                }
                for (int i = 0; i < cases.size(); i++) {
                    double d = results.get(i).get();
                    System.out.println(PeftParity.line("concurrent, per-call adapter", cases.get(i), d));
                    assertThat(d).isLessThan(PeftParity.TOLERANCE);
                }
            } finally {
                pool.shutdownNow();
            }
            lora.removeAdapter(cases.get(0));
            assertThat(lora.adapterNames()).doesNotContain(cases.get(0));
            double d = PeftCases.maxAbsDiff(lora.forward(refs.get(1).ids(scope), null, cases.get(1)).toFloatArray(),
                    refs.get(1).peft());
            assertThat(d).isLessThan(PeftParity.TOLERANCE);
        }
    }

    @Test
    void mergedStateRefusesPassesOfOtherAdapters() throws Exception {
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(Fixtures.model("llama"), scope)) {
            lora.loadAdapter("a", dir("llama-default"));
            lora.loadAdapter("b", dir("llama-regex"));
            NDArray ids = PeftCases.logits(dir("llama-default")).ids(scope);
            lora.merge("a");
            assertThat(lora.mergedAdapter()).isEqualTo("a");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> lora.forward(ids, null, "b"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("'a' is merged");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> lora.forward(ids, null, null))
                    .isInstanceOf(IllegalStateException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> lora.merge("b"))
                    .isInstanceOf(IllegalStateException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> lora.removeAdapter("a"))
                    .isInstanceOf(IllegalStateException.class);
            lora.unmerge();
            lora.forward(ids, null, "b").close();
        }
    }
}
