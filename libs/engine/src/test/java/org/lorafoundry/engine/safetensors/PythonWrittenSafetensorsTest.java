package org.lorafoundry.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.lorafoundry.engine.Fixtures;

/**
 * A file written by Python's {@code safetensors} (committed fixture; {@code SafetensorsPythonInteropIT} repeats this
 * live and checks the other direction) reads here with exactly the values Python widened to float64.
 */
public class PythonWrittenSafetensorsTest {

    @org.junit.jupiter.api.Test
    void committedPythonFileReadsWithExactValues() throws IOException {
        check(Fixtures.root().resolve("safetensors"));
    }

    /** {@code dir} holds python-written.safetensors and python-written.json (dtype, shape, values per tensor). */
    public static void check(Path dir) throws IOException {
        JsonNode expected = Fixtures.json(dir.resolve("python-written.json"));
        try (SafetensorsReader r = SafetensorsReader.open(dir.resolve("python-written.safetensors"))) {
            expected.get("metadata").fields().forEachRemaining(e ->
                    assertThat(r.metadata()).containsEntry(e.getKey(), e.getValue().asText()));
            assertThat(r.dataStart() % 8).isZero();
            JsonNode tensors = expected.get("tensors");
            assertThat(r.names()).hasSize(tensors.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = tensors.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                TensorView t = r.tensor(e.getKey());
                JsonNode spec = e.getValue();
                assertThat(t.shape()).as(e.getKey()).containsExactly(Fixtures.longs(spec.get("shape")));
                String torchType = spec.get("dtype").asText();
                JsonNode values = spec.get("values");
                if (torchType.equals("torch.int64")) {
                    assertThat(t.dtype()).isEqualTo(DType.I64);
                    assertThat(t.toLongArray()).containsExactly(Fixtures.longs(values));
                    continue;
                }
                assertThat(t.dtype()).isEqualTo(switch (torchType) {
                    case "torch.float16" -> DType.F16;
                    case "torch.bfloat16" -> DType.BF16;
                    default -> DType.F32;
                });
                float[] actual = t.toFloatArray();
                assertThat(actual).hasSize(values.size());
                for (int i = 0; i < actual.length; i++) {
                    // Python widened each value to float64 exactly; float32 holds F16/BF16/F32 values exactly too.
                    assertThat((double) actual[i]).as("%s[%d]", e.getKey(), i).isEqualTo(values.get(i).asDouble());
                }
            }
        }
    }
}
