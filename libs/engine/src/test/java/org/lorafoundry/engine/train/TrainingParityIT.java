package org.lorafoundry.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.PythonOracle;

/**
 * Live training parity: make_training_fixtures.py trains fresh adapters with transformers + PEFT + torch AdamW (seed
 * 1234) into target/live-training-fixtures, and the engine's loop must reproduce them. Skipped (with the reason)
 * without a Python oracle.
 */
class TrainingParityIT {
    static final List<String> CASES = TrainingParityTest.CASES;
    static final int SEED = 1234;
    private static Path out;
    private static NDManager manager;

    @BeforeAll
    static void regenerate() throws Exception {
        Path python = PythonOracle.requireOrSkip("live training parity with torch AdamW");
        out = PythonOracle.engineDir().resolve("target").resolve("live-training-fixtures");
        long start = System.nanoTime();
        String log = PythonOracle.check(python, 600, PythonOracle.script("make_training_fixtures.py").toString(),
                "--base-root", Fixtures.root().toString(), "--out", out.toString(), "--seed", String.valueOf(SEED));
        System.out.printf("[live] make_training_fixtures.py --seed %d took %.1f s%n%s", SEED,
                (System.nanoTime() - start) / 1e9, log.lines().filter(l -> l.contains("clipped"))
                        .map(l -> "[live] " + l + "\n").reduce("", String::concat));
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("CASES")
    void twentyStepsMatchTorchAdamWLive(String name, @TempDir Path tmp) throws Exception {
        Path dir = out.resolve(name);
        assertThat(Fixtures.json(dir.resolve("reference.json")).get("seed").asInt()).isEqualTo(SEED);
        assertThat(Files.readAllBytes(dir.resolve("initial/adapter_model.safetensors"))).isNotEqualTo(
                Files.readAllBytes(Fixtures.root().resolve("training").resolve(name)
                        .resolve("initial/adapter_model.safetensors")));
        TrainingParity.check(TrainingParity.run(dir, Fixtures.root(), manager, tmp));
    }
}
