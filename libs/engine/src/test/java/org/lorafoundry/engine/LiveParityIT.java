package org.lorafoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.lorafoundry.engine.safetensors.PythonWrittenSafetensorsTest;

/**
 * Regenerates the fixtures with transformers now, with another seed, into target/live-fixtures, and runs the same
 * parity checks as the committed-fixture tests. Runs when a Python with torch + transformers is available
 * ({@link PythonOracle}); otherwise it is skipped with the reason (the committed-fixture tests always run).
 */
class LiveParityIT {
    static final List<String> MODELS = Fixtures.MODELS;
    static final int SEED = 1234;
    private static Path out;
    private static NDManager manager;

    @BeforeAll
    static void regenerate() throws Exception {
        Path python = PythonOracle.requireOrSkip("live parity with transformers");
        out = PythonOracle.engineDir().resolve("target").resolve("live-fixtures");
        long start = System.nanoTime();
        String log = PythonOracle.check(python, 600, PythonOracle.script("make_fixtures.py").toString(),
                "--out", out.toString(), "--seed", String.valueOf(SEED));
        System.out.printf("[live] make_fixtures.py --seed %d took %.1f s with %s%n%s", SEED,
                (System.nanoTime() - start) / 1e9, python, log.lines().filter(l -> l.contains("parameters"))
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
    @FieldSource("MODELS")
    void logitsMatchTransformersLive(String name) throws Exception {
        Parity.LogitsComparison c = Parity.logits(out.resolve(name), manager, true);
        System.out.println("[live parity] " + c);
        assertThat(Fixtures.reference(out.resolve(name)).get("seed").asInt()).isEqualTo(SEED);
        assertThat(c.maxAbsDiff()).isLessThan(Parity.LOGITS_TOLERANCE);
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("MODELS")
    void tokenizerMatchesTransformersLive(String name) throws Exception {
        Parity.tokenizer(out.resolve(name));
    }

    @Test
    void freshPythonWrittenSafetensorsReadsHere() throws Exception {
        PythonWrittenSafetensorsTest.check(out.resolve("safetensors"));
    }

    @Test
    void liveFixturesDifferFromTheCommittedOnes() throws Exception {
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains(MODELS.toArray(String[]::new));
        }
        assertThat(Files.readAllBytes(out.resolve("llama/model.safetensors")))
                .isNotEqualTo(Files.readAllBytes(Fixtures.model("llama").resolve("model.safetensors")));
    }
}
