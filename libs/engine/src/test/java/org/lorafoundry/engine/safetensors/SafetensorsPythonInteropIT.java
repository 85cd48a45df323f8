package org.lorafoundry.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.PythonOracle;

/** Files written here read in Python's {@code safetensors} with the same values and metadata (when Python is there). */
class SafetensorsPythonInteropIT {
    private static Path python;

    @BeforeAll
    static void findPython() {
        python = PythonOracle.requireOrSkip("safetensors interop with Python");
    }

    @Test
    void javaWrittenFileReadsInPython(@TempDir Path dir) throws Exception {
        float[] values = {0f, -0f, 1f, -2.5f, 65504f, 1e-40f, 3e38f, 1f / 3f, Float.POSITIVE_INFINITY, 123.456f};
        Path file = dir.resolve("java.safetensors");
        new SafetensorsWriter().metadata("format", "pt").metadata("writer", "lora-foundry")
                .put("f32", DType.F32, new long[] {2, 5}, values)
                .put("f16", DType.F16, new long[] {10}, values)
                .put("bf16", DType.BF16, new long[] {5, 2}, values)
                .put("i64", new long[] {3}, new long[] {-7, 0, Long.MAX_VALUE})
                .put("scalar", DType.F32, new long[0], new float[] {4f})
                .write(file);
        String json = PythonOracle.check(python, 120, PythonOracle.script("safetensors_dump.py").toString(),
                file.toString());
        JsonNode dump = Fixtures.JSON.readTree(json.substring(json.indexOf('{')));
        assertThat(dump.get("metadata").get("writer").asText()).isEqualTo("lora-foundry");
        assertThat(dump.get("metadata").get("format").asText()).isEqualTo("pt");
        try (SafetensorsReader here = SafetensorsReader.open(file)) {
            for (String name : new String[] {"f32", "f16", "bf16", "scalar"}) {
                JsonNode t = dump.get("tensors").get(name);
                assertThat(Fixtures.longs(t.get("shape"))).as(name).containsExactly(here.tensor(name).shape());
                float[] mine = here.tensor(name).toFloatArray();
                for (int i = 0; i < mine.length; i++) {
                    JsonNode v = t.get("values").get(i);
                    double theirs = v.isTextual() ? Double.parseDouble(v.asText().replace("inf", "Infinity"))
                            : v.asDouble();
                    assertThat((double) mine[i]).as("%s[%d]", name, i).isEqualTo(theirs);
                }
            }
            assertThat(dump.get("tensors").get("bf16").get("dtype").asText()).isEqualTo("torch.bfloat16");
            assertThat(dump.get("tensors").get("f16").get("dtype").asText()).isEqualTo("torch.float16");
            assertThat(Fixtures.longs(dump.get("tensors").get("i64").get("values")))
                    .containsExactly(-7, 0, Long.MAX_VALUE);
        }
    }
}
