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
 * The evaluation loss of the committed datasets (fixtures/evaluation/*.jsonl) equals transformers' loss on the same
 * rows, with and without PEFT adapters (fixtures/evaluation/reference.json, written by scripts/eval_loss_oracle.py).
 */
class LossParityTest {
    static final Path DATA = Fixtures.root().resolve("evaluation");
    static final Path REFERENCE = DATA.resolve("reference.json");
    static final List<String> CASES = LossParity.caseNames(REFERENCE);
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
    void lossEqualsTransformersLoss(String name) throws Exception {
        System.out.println("[loss parity] " + LossParity.check(Fixtures.root(), DATA, LossParity.find(REFERENCE, name),
                manager));
    }

    @Test
    void theCommittedCasesCoverEveryFormatFixtureAndSomeAdapters() {
        assertThat(CASES).contains("gpt2/text", "llama/prompt-completion", "llama-tied/chat", "qwen2/chat",
                "gpt2-bias-save/chat", "llama-all-linear/prompt-completion", "qwen2-all/chat");
        // A GPT-2 conversation longer than n_positions is truncated, as the engine's evaluation does.
        assertThat(LossParity.find(REFERENCE, "gpt2/chat").get("truncated").asInt()).isPositive();
    }
}
