package org.lorafoundry.engine.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.data.ExampleEncoder;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/** Stop sequences, EOS, limits, seeded sampling, memory and concurrency of {@link Generator}. */
class GeneratorTest {
    static final String PROMPT = "Hello, world!";
    private static NDManager manager;
    private static LoraModel llama;
    private static HfTokenizer tokenizer;
    private static Generator generator;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        manager = EngineRuntime.newManager();
        Path dir = Fixtures.model("llama");
        llama = LoraModel.load(dir, manager);
        llama.createAdapter("a", LoraConfig.builder().targetModulesRegex("all-linear").r(4).loraAlpha(8)
                .initLoraWeights("false").build(), 3);
        tokenizer = HfTokenizer.load(dir);
        generator = Generator.of(llama, tokenizer, dir);
    }

    @AfterAll
    static void stop() {
        tokenizer.close();
        llama.close();
        manager.close();
    }

    @Test
    void maxNewTokensEndsAGreedyGeneration() {
        Generation g = generator.generate(PROMPT, null, GenerationConfig.greedy(12));
        assertThat(g.finishReason()).isEqualTo(FinishReason.MAX_TOKENS);
        assertThat(g.generatedTokens()).isEqualTo(12);
        assertThat(g.promptTokens()).isEqualTo(tokenizer.encode(PROMPT, true).length);
        assertThat(g.text()).isEqualTo(tokenizer.decode(g.tokenIds(), true));
        // Greedy is deterministic, and the adapter changes the answer.
        assertThat(generator.generate(PROMPT, null, GenerationConfig.greedy(12))).isEqualTo(g);
        assertThat(generator.generate(PROMPT, "a", GenerationConfig.greedy(12)).tokenIds())
                .isNotEqualTo(g.tokenIds());
    }

    @Test
    void aStopSequenceEndsGenerationAndIsCutFromTheText() {
        Generation full = generator.generate(PROMPT, null, GenerationConfig.greedy(20));
        String text = full.text();
        // A stop sequence from the middle of the full answer, spanning more than one token's text.
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        int at = text.indexOf(stop);
        Generation cut = generator.generate(PROMPT, null,
                GenerationConfig.builder().maxNewTokens(20).stopSequences("never there", stop).build());
        assertThat(cut.finishReason()).isEqualTo(FinishReason.STOP_SEQUENCE);
        assertThat(cut.text()).isEqualTo(text.substring(0, at));
        // The ids go up to the token that completed the stop sequence: a prefix of the full answer's ids.
        long[] ids = cut.tokenIds();
        assertThat(ids.length).isLessThan(full.generatedTokens());
        assertThat(Arrays.copyOf(full.tokenIds(), ids.length)).containsExactly(ids);
        assertThat(tokenizer.decode(ids, true)).contains(stop);
        assertThat(tokenizer.decode(Arrays.copyOf(ids, ids.length - 1), true)).doesNotContain(stop);
        // With two stop sequences the earliest in the text wins, whatever their order in the list.
        String earlier = text.substring(1, 3);
        Generation first = generator.generate(PROMPT, null,
                GenerationConfig.builder().maxNewTokens(20).stopSequences(stop, earlier).build());
        assertThat(first.text()).isEqualTo(text.substring(0, text.indexOf(earlier)));
    }

    @Test
    void anEosTokenEndsGenerationAndIsTheLastId() {
        long[] full = generator.generate(PROMPT, null, GenerationConfig.greedy(20)).tokenIds();
        int step = 3;
        while (indexOf(full, full[step]) != step) {
            step++;
        }
        Generator stopsThere = new Generator(llama, tokenizer, new EosTokens(Set.of(full[step])));
        Generation g = stopsThere.generate(PROMPT, null, GenerationConfig.greedy(20));
        assertThat(g.finishReason()).isEqualTo(FinishReason.EOS);
        assertThat(g.tokenIds()).containsExactly(Arrays.copyOf(full, step + 1));
    }

    private static int indexOf(long[] a, long v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void gpt2StopsWhenItsContextIsFullAndRefusesPromptsThatFillIt() throws Exception {
        Path dir = Fixtures.model("gpt2");
        try (NDManager scope = manager.newSubManager(); LoraModel gpt2 = LoraModel.load(dir, scope);
                HfTokenizer tok = HfTokenizer.load(dir)) {
            Generator g = Generator.of(gpt2, tok, dir);
            assertThat(g.contextLimit()).isEqualTo(64);
            long[] prompt = new long[60];
            Arrays.fill(prompt, 5);
            Generation out = g.generate(prompt, null, GenerationConfig.greedy(10));
            assertThat(out.finishReason()).isEqualTo(FinishReason.CONTEXT_FULL);
            assertThat(out.generatedTokens()).isEqualTo(4);
            assertThatThrownBy(() -> g.generate(new long[64], null, GenerationConfig.greedy(1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 tokens leaves no room");
        }
        // RoPE models have no such limit (max_position_embeddings is 64 here too).
        assertThat(generator.contextLimit()).isEqualTo(Integer.MAX_VALUE);
        long[] prompt = new long[60];
        Arrays.fill(prompt, 5);
        assertThat(generator.generate(prompt, null, GenerationConfig.greedy(10)).finishReason())
                .isEqualTo(FinishReason.MAX_TOKENS);
        assertThatThrownBy(() -> generator.generate(new long[0], null, GenerationConfig.greedy(1)))
                .hasMessageContaining("no tokens");
    }

    @Test
    void samplingIsReproducibleWithItsSeed() {
        GenerationConfig sampled = GenerationConfig.builder().maxNewTokens(20).temperature(1.0).topP(0.95).seed(7)
                .build();
        Generation a = generator.generate(PROMPT, "a", sampled);
        assertThat(generator.generate(PROMPT, "a", sampled)).isEqualTo(a);
        assertThat(generator.generate(PROMPT, "a", sampled.toBuilder().seed(8).build()).tokenIds())
                .isNotEqualTo(a.tokenIds());
        // Top-k 1 leaves one candidate: sampling then is greedy decoding.
        assertThat(generator.generate(PROMPT, "a", sampled.toBuilder().topK(1).build()).tokenIds())
                .containsExactly(generator.generate(PROMPT, "a", GenerationConfig.greedy(20)).tokenIds());
    }

    @Test
    void generationLeavesNoArrayBehindAndRunsConcurrentlyWithDifferentAdapters() throws Exception {
        int before = manager.getManagedArrays().size();
        Generation base = generator.generate(PROMPT, null, GenerationConfig.greedy(15));
        Generation adapted = generator.generate(PROMPT, "a", GenerationConfig.greedy(15));
        assertThat(manager.getManagedArrays()).hasSize(before);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Generation>> results = Stream.of(null, "a", null, "a")
                    .map(adapter -> pool.submit(() -> generator.generate(PROMPT, adapter, GenerationConfig.greedy(15))))
                    .toList();
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get()).isEqualTo(i % 2 == 0 ? base : adapted);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(manager.getManagedArrays()).hasSize(before);
    }

    @Test
    void eosIdsComeFromTheTokenizerAndTheGenerationConfig() throws Exception {
        Path dir = Fixtures.model("llama");
        long eot = ExampleEncoder.tokenId(tokenizer, "<|eot_id|>");
        // No generation_config.json: the tokenizer's eos_token and config.json's eos_token_id (2).
        assertThat(generator.eosTokens().ids()).containsExactly(eot, 2L);
        Path copy = Files.createDirectories(tmp.resolve("llama"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.writeString(copy.resolve(EosTokens.GENERATION_CONFIG_FILE), "{\"eos_token_id\": [7, 9]}");
        assertThat(EosTokens.read(copy, tokenizer, llama.base().config()).ids()).containsExactly(eot, 7L, 9L);
        Files.writeString(copy.resolve(EosTokens.GENERATION_CONFIG_FILE), "{\"eos_token_id\": 11}");
        assertThat(EosTokens.read(copy, tokenizer, llama.base().config()).ids()).containsExactly(eot, 11L);
        Files.writeString(copy.resolve(EosTokens.GENERATION_CONFIG_FILE), "{\"eos_token_id\": \"</s>\"}");
        assertThatThrownBy(() -> EosTokens.read(copy, tokenizer, llama.base().config())).isInstanceOf(IOException.class)
                .hasMessageContaining("eos_token_id must be an integer or a list of integers");
        Files.writeString(copy.resolve(EosTokens.GENERATION_CONFIG_FILE), "{oops");
        assertThatThrownBy(() -> EosTokens.read(copy, tokenizer, llama.base().config())).isInstanceOf(IOException.class)
                .hasMessageContaining("not valid JSON");
    }
}
