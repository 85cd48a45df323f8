package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;

/** The committed training fixtures (fixtures/training, seed 42): the loop equals transformers + PEFT + torch AdamW. */
class TrainingParityTest {
    static final List<String> CASES = List.of("gpt2-cosine", "llama-linear");
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
    void twentyStepsMatchTorchAdamW(String name, @TempDir Path tmp) throws Exception {
        TrainingParity.check(TrainingParity.run(Fixtures.root().resolve("training").resolve(name), Fixtures.root(),
                manager, tmp));
    }
}
