package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * Greedy generation against transformers' {@code generate(do_sample=False)} (the output of
 * {@code scripts/generation_oracle.py}), shared by the committed-fixture test and the live IT.
 */
final class GenerationParity {
    /**
     * A step whose two best logits (in transformers) are closer than this is a near-tie: the engine's logits differ
     * from transformers' by ~5e-6, so either token is a correct answer there and the sequences may part.
     */
    static final double NEAR_TIE = 1e-4;

    private GenerationParity() {
    }

    static List<String> caseNames(Path reference) {
        List<String> names = new ArrayList<>();
        Fixtures.json(reference).get("cases").forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    static JsonNode find(Path reference, String name) {
        for (JsonNode c : Fixtures.json(reference).get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no case " + name + " in " + reference);
    }

    /** What a case compared: how many generated ids agreed, of how many, and where a near-tie cut it short. */
    record Outcome(String name, int compared, int expected, int nearTieStep, double minMargin) {
        @Override
        public String toString() {
            return String.format("%-24s %2d/%2d ids equal to transformers' (min top-2 margin %.2e)%s", name, compared,
                    expected, minMargin, nearTieStep >= 0 ? " NEAR TIE at step " + nearTieStep + ": compared up to"
                            + " it" : "");
        }
    }

    /**
     * Generates the case with the engine and compares: the prompt ids, the EOS ids the engine reads from the model's
     * files (for cases that use the model's own), the generated ids and the finish reason.
     */
    static Outcome check(Path fixtures, JsonNode c, NDManager manager) throws Exception {
        String name = c.get("name").asText();
        Path dir = fixtures.resolve(c.get("model").asText());
        String adapter = c.get("adapter").isNull() ? null : c.get("adapter").asText();
        Set<Long> eos = new LinkedHashSet<>();
        c.get("eos_token_ids").forEach(n -> eos.add(n.asLong()));
        long[] expected = Fixtures.longs(c.get("generated_ids"));
        try (NDManager scope = manager.newSubManager();
                LoraModel lora = LoraModel.load(dir, scope);
                HfTokenizer tokenizer = HfTokenizer.load(dir)) {
            if (adapter != null) {
                lora.loadAdapter(adapter, fixtures.resolve("peft").resolve(adapter));
            }
            if (!name.endsWith("-eos")) {
                assertThat(EosTokens.read(dir, tokenizer, lora.base().config()).ids()).as("%s: EOS ids", name)
                        .containsExactlyInAnyOrderElementsOf(eos);
            }
            long[] prompt;
            if (c.get("kind").asText().equals("chat")) {
                List<Map<String, Object>> messages = new ArrayList<>();
                for (JsonNode m : c.get("prompt")) {
                    messages.add(Fixtures.JSON.convertValue(m,
                            TypeFactory.defaultInstance().constructMapType(Map.class, String.class, Object.class)));
                }
                prompt = tokenizer.encodeChat(messages, true);
            } else {
                prompt = tokenizer.encode(c.get("prompt").asText(), true);
            }
            assertThat(prompt).as("%s: prompt ids", name).containsExactly(Fixtures.longs(c.get("prompt_ids")));

            Generator generator = new Generator(lora, tokenizer, new EosTokens(eos));
            int budget = c.get("finish").asText().equals("eos") ? expected.length + 5 : expected.length;
            Generation g = generator.generate(prompt, adapter, GenerationConfig.greedy(budget));
            long[] actual = g.tokenIds();

            int tie = -1;
            JsonNode margins = c.get("margins");
            for (int i = 0; i < margins.size(); i++) {
                if (margins.get(i).asDouble() < NEAR_TIE) {
                    tie = i;
                    break;
                }
            }
            double minMargin = c.get("min_margin").asDouble();
            if (tie >= 0) {
                // Up to the tie the sequences must agree; from there on either continuation is right.
                assertThat(Arrays.copyOf(actual, Math.min(tie, actual.length))).as("%s: ids before the near-tie", name)
                        .containsExactly(Arrays.copyOf(expected, tie));
                return new Outcome(name, tie, expected.length, tie, minMargin);
            }
            assertThat(actual).as("%s: generated ids", name).containsExactly(expected);
            assertThat(g.finishReason()).as("%s: finish reason", name).isEqualTo(
                    c.get("finish").asText().equals("eos") ? FinishReason.EOS : FinishReason.MAX_TOKENS);
            assertThat(g.text()).isEqualTo(tokenizer.decode(expected, true));
            assertThat(g.promptTokens()).isEqualTo(prompt.length);
            return new Outcome(name, actual.length, expected.length, -1, minMargin);
        }
    }
}
