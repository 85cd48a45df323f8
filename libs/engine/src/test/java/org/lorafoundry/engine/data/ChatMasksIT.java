package org.lorafoundry.engine.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.PythonOracle;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * Live: the chat encoder's ids and assistant-only labels equal those computed in Python from transformers'
 * {@code apply_chat_template} ({@code scripts/chat_masks.py}) on the committed fixtures' tokenizers. Skipped without a
 * Python oracle (see {@link PythonOracle}).
 */
class ChatMasksIT {
    static final List<List<Map<String, Object>>> CONVERSATIONS = List.of(
            List.of(Map.of("role", "user", "content", "Hi"), Map.of("role", "assistant", "content", "Hello there")),
            List.of(Map.of("role", "system", "content", "Be brief."),
                    Map.of("role", "user", "content", "What is 2+2?"),
                    Map.of("role", "assistant", "content", "4", "weight", 0),
                    Map.of("role", "user", "content", "Sure?"),
                    Map.of("role", "assistant", "content", "Yes, 4. ünïcödé 🙂")),
            List.of(Map.of("role", "user", "content", "  spaces  "),
                    Map.of("role", "assistant", "content", "a\nb\n\nc"),
                    Map.of("role", "user", "content", "x"),
                    Map.of("role", "assistant", "content", "y")));

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "llama", "qwen2"})
    void assistantMasksMatchApplyChatTemplate(String model) throws Exception {
        Path python = PythonOracle.requireOrSkip("chat masks against transformers' apply_chat_template");
        Path dir = Fixtures.model(model);
        Path in = tmp.resolve("conversations.json");
        Path out = tmp.resolve("masks.json");
        Files.writeString(in, Fixtures.JSON.writeValueAsString(CONVERSATIONS));
        PythonOracle.check(python, 300, PythonOracle.script("chat_masks.py").toString(), dir.toString(),
                in.toString(), out.toString());
        JsonNode expected = Fixtures.json(out);
        try (HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            ExampleEncoder encoder = new ExampleEncoder(tokenizer, 4096);
            for (int i = 0; i < CONVERSATIONS.size(); i++) {
                TrainingExample e = encoder.encodeChat(CONVERSATIONS.get(i));
                assertThat(e.inputIds()).as("%s conversation %d ids", model, i)
                        .containsExactly(Fixtures.longs(expected.get(i).get("input_ids")));
                assertThat(e.labels()).as("%s conversation %d labels", model, i)
                        .containsExactly(Fixtures.longs(expected.get(i).get("labels")));
                assertThat(e.labelledTokens()).isPositive();
            }
        }
    }
}
