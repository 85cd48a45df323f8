package org.lorafoundry.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModelLoader;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/** The parity checks against transformers' reference outputs, shared by the committed-fixture tests and the live IT. */
public final class Parity {
    /** fp32 logits must agree with transformers' to this absolute tolerance. */
    public static final double LOGITS_TOLERANCE = 1e-4;

    private Parity() {
    }

    /** Reference logits, this engine's logits, and their largest absolute difference. */
    public record LogitsComparison(String name, long[] shape, double maxAbsDiff, double maxAbsReference) {
        @Override
        public String toString() {
            return String.format("%-11s logits %s max |diff| = %.3e (max |logit| %.2f)", name,
                    java.util.Arrays.toString(shape), maxAbsDiff, maxAbsReference);
        }
    }

    /** Loads the model directory, runs the reference input ids, compares with transformers' logits. */
    public static LogitsComparison logits(Path dir, NDManager manager, boolean mapWeights) throws IOException {
        long[] ids;
        long[] idShape;
        float[] expected;
        try (SafetensorsReader ref = SafetensorsReader.open(dir.resolve("logits.safetensors"))) {
            ids = ref.tensor("input_ids").toLongArray();
            idShape = ref.tensor("input_ids").shape();
            expected = ref.tensor("logits").toFloatArray();
        }
        try (NDManager scope = manager.newSubManager();
                CausalLanguageModel model = ModelLoader.load(dir, scope, mapWeights)) {
            NDArray input = scope.create(ids, new Shape(idShape));
            NDArray logits = model.forward(input);
            assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(logits.getShape().getShape())
                    .containsExactly(idShape[0], idShape[1], (long) model.config().vocabSize());
            float[] actual = logits.toFloatArray();
            assertThat(actual).hasSameSizeAs(expected);
            double max = 0;
            double ref = 0;
            for (int i = 0; i < actual.length; i++) {
                max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
                ref = Math.max(ref, Math.abs(expected[i]));
            }
            return new LogitsComparison(dir.getFileName().toString(), logits.getShape().getShape(), max, ref);
        }
    }

    /** Token ids, decoding, chat rendering and chat ids against transformers' AutoTokenizer. */
    public static void tokenizer(Path dir) throws IOException {
        JsonNode ref = Fixtures.reference(dir);
        try (HfTokenizer tok = HfTokenizer.load(dir)) {
            JsonNode texts = ref.get("texts");
            for (int i = 0; i < texts.size(); i++) {
                String text = texts.get(i).asText();
                long[] expected = Fixtures.longs(ref.get("token_ids").get(i));
                long[] actual = tok.encode(text);
                assertThat(actual).as("%s: ids of %s", dir.getFileName(), text).containsExactly(expected);
                assertThat(tok.decode(actual, true)).as("%s: decode of %s", dir.getFileName(), text)
                        .isEqualTo(ref.get("decoded").get(i).asText());
            }
            for (JsonNode chat : ref.get("chat")) {
                List<Map<String, Object>> messages = new ArrayList<>();
                for (JsonNode m : chat.get("messages")) {
                    messages.add(Fixtures.JSON.convertValue(m,
                            TypeFactory.defaultInstance().constructMapType(Map.class, String.class, Object.class)));
                }
                boolean prompt = chat.get("add_generation_prompt").asBoolean();
                String rendered = tok.applyChatTemplate(messages, prompt);
                assertThat(rendered).as("%s: chat template (add_generation_prompt=%s)", dir.getFileName(), prompt)
                        .isEqualTo(chat.get("rendered").asText());
                assertThat(tok.encodeChat(messages, prompt)).as("%s: chat ids", dir.getFileName())
                        .containsExactly(Fixtures.longs(chat.get("token_ids")));
            }
        }
    }
}
