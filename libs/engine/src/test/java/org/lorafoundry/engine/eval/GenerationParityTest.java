package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;

/**
 * Greedy generation equals transformers' {@code generate(do_sample=False, max_new_tokens=20)} on the committed
 * fixtures: every base model after a text and a chat prompt, an EOS-ending variant, and every PEFT adapter
 * (fixtures/generation/reference.json, written by scripts/generation_oracle.py).
 */
class GenerationParityTest {
    static final Path REFERENCE = Fixtures.root().resolve("generation").resolve("reference.json");
    static final List<String> CASES = GenerationParity.caseNames(REFERENCE);
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
    @FieldSource("CASES")
    void greedyIdsEqualTransformersGenerate(String name) throws Exception {
        GenerationParity.Outcome o = GenerationParity.check(Fixtures.root(), GenerationParity.find(REFERENCE, name),
                manager);
        System.out.println("[generation parity] " + o);
        // The committed cases were chosen without near-ties, so every id is compared.
        assertThat(o.nearTieStep()).isEqualTo(-1);
        assertThat(o.compared()).isEqualTo(o.expected());
    }

    @Test
    void theCommittedCasesCoverEveryFixtureAndAdapterAndBothWaysToFinish() {
        assertThat(CASES).contains("gpt2/text", "gpt2/chat", "llama/text", "llama/chat", "llama-tied/text",
                "llama-tied/chat", "qwen2/text", "qwen2/chat", "llama/text-eos", "peft/llama-pissa",
                "peft/gpt2-bias-save", "peft/qwen2-all");
        assertThat(CASES.stream().filter(n -> n.startsWith("peft/"))).hasSize(11);
        assertThat(Fixtures.json(REFERENCE).get("cases").findValuesAsText("finish")).contains("eos", "length");
    }
}
