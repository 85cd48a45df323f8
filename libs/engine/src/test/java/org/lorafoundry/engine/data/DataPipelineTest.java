package org.lorafoundry.engine.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.tokenizer.HfTokenizer;
import org.lorafoundry.engine.train.TrainingBatch;

/** Encoding, masks, truncation, JSONL reading and batching on the committed fixtures' tokenizers. */
class DataPipelineTest {
    private static final long IGNORE = TrainingBatch.IGNORE_INDEX;

    private static HfTokenizer llama;
    private static HfTokenizer qwen2;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws IOException {
        llama = HfTokenizer.load(Fixtures.model("llama"));
        qwen2 = HfTokenizer.load(Fixtures.model("qwen2"));
    }

    @AfterAll
    static void close() {
        llama.close();
        qwen2.close();
    }

    private static long[] concat(long[]... parts) {
        return Arrays.stream(parts).flatMapToLong(Arrays::stream).toArray();
    }

    /** The labelled tokens, in order. */
    private static long[] learned(TrainingExample e) {
        return Arrays.stream(e.labels()).filter(l -> l != IGNORE).toArray();
    }

    @Test
    void textLearnsEveryTokenWithBosFromThePostProcessorAndEos() {
        ExampleEncoder enc = new ExampleEncoder(llama, 512);
        long eos = ExampleEncoder.tokenId(llama, "<|eot_id|>");
        TrainingExample e = enc.encodeText("the quick brown fox");
        long[] expected = concat(llama.encode("the quick brown fox", true), new long[] {eos});
        assertThat(e.inputIds()).containsExactly(expected);
        assertThat(e.inputIds()[0]).isEqualTo(1); // <s> from tokenizer.json's post-processor
        assertThat(e.labels()).containsExactly(expected);
        assertThat(new ExampleEncoder(llama, 512, false).encodeText("the quick brown fox").inputIds())
                .containsExactly(llama.encode("the quick brown fox", true));
        // qwen2: no BOS in the post-processor, EOS <|im_end|>
        TrainingExample q = new ExampleEncoder(qwen2, 512).encodeText("hello world");
        assertThat(q.inputIds()).containsExactly(concat(qwen2.encode("hello world", true),
                new long[] {ExampleEncoder.tokenId(qwen2, "<|im_end|>")}));
    }

    @Test
    void promptCompletionLearnsTheCompletionAndEosOnly() {
        ExampleEncoder enc = new ExampleEncoder(llama, 512);
        long eos = ExampleEncoder.tokenId(llama, "<|eot_id|>");
        long[] prompt = llama.encode("Question: what is red?", true);
        long[] completion = llama.encode(" A colour.", false);
        TrainingExample e = enc.encodePromptCompletion("Question: what is red?", " A colour.");
        assertThat(e.inputIds()).containsExactly(concat(prompt, completion, new long[] {eos}));
        for (int i = 0; i < prompt.length; i++) {
            assertThat(e.labels()[i]).isEqualTo(IGNORE);
        }
        assertThat(learned(e)).containsExactly(concat(completion, new long[] {eos}));
    }

    @Test
    void chatLearnsAssistantTurnsOnlyWithoutTheirHeader() {
        ExampleEncoder enc = new ExampleEncoder(llama, 512);
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "Hi"),
                Map.of("role", "assistant", "content", "Hello there"),
                Map.of("role", "user", "content", "Bye"),
                Map.of("role", "assistant", "content", "Goodbye"));
        TrainingExample e = enc.encodeChat(messages);
        assertThat(e.inputIds()).containsExactly(llama.encodeChat(messages, false));
        long eot = ExampleEncoder.tokenId(llama, "<|eot_id|>");
        // learned: exactly each assistant turn's content and its <|eot_id|>
        long[] expected = concat(llama.encode("Hello there", false), new long[] {eot},
                llama.encode("Goodbye", false), new long[] {eot});
        assertThat(learned(e)).containsExactly(expected);
        assertThat(llama.decode(learned(e), false)).isEqualTo("Hello there<|eot_id|>Goodbye<|eot_id|>");

        // qwen2 (ChatML, default system prompt): content + <|im_end|> + "\n" of the assistant turn
        TrainingExample q = new ExampleEncoder(qwen2, 512).encodeChat(messages.subList(1, 3));
        assertThat(qwen2.decode(learned(q), false)).isEqualTo("Hello there<|im_end|>\n");
    }

    @Test
    void chatTurnsWithWeightZeroAreNotLearned() {
        ExampleEncoder enc = new ExampleEncoder(llama, 512);
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "user", "content", "Hi"),
                Map.of("role", "assistant", "content", "Wrong answer", "weight", 0),
                Map.of("role", "user", "content", "Again"),
                Map.of("role", "assistant", "content", "Right answer", "weight", 1));
        assertThat(llama.decode(learned(enc.encodeChat(messages)), false)).isEqualTo("Right answer<|eot_id|>");
        assertThatThrownBy(() -> enc.encodeChat(List.of(Map.of("role", "assistant", "content", "x", "weight", 2))))
                .isInstanceOf(DatasetException.class).hasMessageContaining("'weight' must be 0 or 1");
    }

    @Test
    void truncationCutsAtMaxLengthAndIsCounted() {
        ExampleEncoder enc = new ExampleEncoder(llama, 8);
        TrainingExample longOne = enc.encodeText("one two three four five six seven eight nine ten eleven twelve");
        TrainingExample shortOne = enc.encodeText("hi");
        TrainingExample prompt = enc.encodePromptCompletion("a long long long long long long prompt", " done");
        assertThat(longOne.length()).isEqualTo(8);
        assertThat(longOne.inputIds()).containsExactly(Arrays.copyOf(
                llama.encode("one two three four five six seven eight nine ten eleven twelve", true), 8));
        assertThat(shortOne.length()).isLessThan(8);
        assertThat(prompt.length()).isEqualTo(8);
        assertThat(prompt.labelledTokens()).isZero(); // the completion was cut away entirely
        assertThat(enc.encodedCount()).isEqualTo(3);
        assertThat(enc.truncatedCount()).isEqualTo(2);
        assertThat(enc.truncatedTokens()).isPositive();
    }

    private Path write(String name, String... lines) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    @Test
    void jsonlDetectsTheFormatAndEncodesEveryRow() throws IOException {
        Path chat = write("chat.jsonl",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Yo\"}]}",
                "",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"A\"}, {\"role\": \"assistant\", \"content\": \"B\", \"weight\": 0}]}");
        JsonlDataset ds = JsonlDataset.read(chat);
        assertThat(ds.format()).isEqualTo(DataFormat.CHAT);
        assertThat(ds.rows()).extracting(JsonlDataset.Row::line).containsExactly(1, 3);
        List<TrainingExample> examples = ds.encode(new ExampleEncoder(llama, 512));
        assertThat(llama.decode(learned(examples.get(0)), false)).isEqualTo("Yo<|eot_id|>");
        assertThat(examples.get(1).labelledTokens()).isZero();

        assertThat(JsonlDataset.read(write("pc.jsonl", "{\"prompt\": \"p\", \"completion\": \"c\"}")).format())
                .isEqualTo(DataFormat.PROMPT_COMPLETION);
        assertThat(JsonlDataset.read(write("t.jsonl", "{\"text\": \"t\"}")).format()).isEqualTo(DataFormat.TEXT);
    }

    @Test
    void badRowsNameTheirLine() throws IOException {
        Path notJson = write("a.jsonl", "{\"text\": \"ok\"}", "{\"text\": ");
        assertThatThrownBy(() -> JsonlDataset.read(notJson)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("a.jsonl:2: not valid JSON");
        Path mixed = write("b.jsonl", "{\"text\": \"ok\"}", "", "{\"prompt\": \"p\", \"completion\": \"c\"}");
        assertThatThrownBy(() -> JsonlDataset.read(mixed)).hasMessageContaining("b.jsonl:3: row is PROMPT_COMPLETION");
        Path noKeys = write("c.jsonl", "{\"txt\": \"ok\"}");
        assertThatThrownBy(() -> JsonlDataset.read(noKeys)).hasMessageContaining("c.jsonl:1: row has none of");
        Path array = write("d.jsonl", "[1, 2]");
        assertThatThrownBy(() -> JsonlDataset.read(array)).hasMessageContaining("d.jsonl:1: expected a JSON object");
        Path wrongType = write("e.jsonl", "{\"text\": \"ok\"}", "{\"text\": 5}");
        assertThatThrownBy(() -> JsonlDataset.read(wrongType).encode(new ExampleEncoder(llama, 64)))
                .isInstanceOf(DatasetException.class).hasMessageContaining("e.jsonl:2: 'text' must be a string");
        Path badRole = write("f.jsonl", "{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}");
        assertThatThrownBy(() -> JsonlDataset.read(badRole).encode(new ExampleEncoder(llama, 64)))
                .isInstanceOf(DatasetException.class).hasMessageContaining("f.jsonl:1: ")
                .hasMessageContaining("Unknown role: tool");
        Path empty = write("g.jsonl", "", "  ");
        assertThatThrownBy(() -> JsonlDataset.read(empty)).hasMessageContaining("g.jsonl: no rows");
    }

    private static List<TrainingExample> examples(int n) {
        List<TrainingExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] ids = new long[2 + i % 5];
            Arrays.fill(ids, 10 + i);
            long[] labels = ids.clone();
            labels[0] = IGNORE;
            out.add(new TrainingExample(ids, labels));
        }
        return out;
    }

    private static List<TrainingBatch> all(BatchIterator it) {
        List<TrainingBatch> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static List<Long> firstIds(List<TrainingBatch> batches) {
        List<Long> out = new ArrayList<>();
        for (TrainingBatch b : batches) {
            for (int r = 0; r < b.batchSize(); r++) {
                out.add(b.inputIds()[r * b.length()]);
            }
        }
        return out;
    }

    @Test
    void shufflingIsDeterministicBySeed() {
        List<TrainingExample> data = examples(20);
        BatchIterator.Options seed1 = new BatchIterator.Options(4, 16, 0, 1, true, false, 2);
        List<Long> a = firstIds(all(new BatchIterator(data, seed1)));
        List<Long> b = firstIds(all(new BatchIterator(data, seed1)));
        List<Long> c = firstIds(all(new BatchIterator(data, new BatchIterator.Options(4, 16, 0, 2, true, false, 2))));
        assertThat(a).hasSize(40).isEqualTo(b).isNotEqualTo(c);
        assertThat(a.subList(0, 20)).isNotEqualTo(a.subList(20, 40)); // each epoch reshuffled
        assertThat(a.subList(0, 20)).containsExactlyInAnyOrderElementsOf(a.subList(20, 40));
        List<Long> ordered = firstIds(all(new BatchIterator(data, new BatchIterator.Options(4, 16, 0, 1, false, false, 1))));
        assertThat(ordered).isSorted().hasSize(20);
        // java.util.Random(seed) + Collections.shuffle, as documented
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        java.util.Collections.shuffle(expected, new java.util.Random(1));
        assertThat(a.subList(0, 20)).containsExactlyElementsOf(expected.stream().map(i -> 10L + i).toList());
    }

    @Test
    void seekingToARecordedPositionReplaysTheSameBatches() {
        List<TrainingExample> data = examples(23);
        for (boolean packing : new boolean[] {false, true}) {
            BatchIterator.Options options = new BatchIterator.Options(3, 9, 0, 5, true, packing, 3);
            BatchIterator uninterrupted = new BatchIterator(data, options);
            List<BatchIterator.Position> positions = new ArrayList<>();
            List<TrainingBatch> batches = new ArrayList<>();
            while (uninterrupted.hasNext()) {
                positions.add(uninterrupted.position());
                batches.add(uninterrupted.next());
            }
            assertThat(uninterrupted.position()).isEqualTo(new BatchIterator.Position(3, 0));
            assertThat(uninterrupted.epochsDone()).isEqualTo(3.0);
            assertThat(positions.get(0)).isEqualTo(BatchIterator.Position.START);
            assertThat(positions).extracting(BatchIterator.Position::epoch).isSorted().contains(0, 1, 2);
            for (int k : new int[] {0, 1, 5, positions.size() / 2, positions.size() - 1}) {
                BatchIterator resumed = new BatchIterator(data, options);
                resumed.seek(positions.get(k));
                List<TrainingBatch> rest = all(resumed);
                assertThat(rest).as("packing %s, from batch %d", packing, k).hasSize(batches.size() - k);
                for (int i = 0; i < rest.size(); i++) {
                    assertThat(rest.get(i).inputIds()).isEqualTo(batches.get(k + i).inputIds());
                    assertThat(rest.get(i).labels()).isEqualTo(batches.get(k + i).labels());
                }
            }
            // the planned batch counts are those the iterator hands out, and planning does not move it
            BatchIterator fresh = new BatchIterator(data, options);
            List<Integer> plan = fresh.batchesPerEpoch(3);
            assertThat(fresh.position()).isEqualTo(BatchIterator.Position.START);
            for (int e = 0; e < 3; e++) {
                int epoch = e;
                assertThat(positions.stream().filter(p -> p.epoch() == epoch).count()).as("epoch %d", e)
                        .isEqualTo(plan.get(e).longValue());
            }
            if (packing) {
                assertThat(plan.stream().mapToInt(Integer::intValue).sum()).isLessThan(3 * 8);
            } else {
                assertThat(plan).containsExactly(8, 8, 8);
            }
        }
        BatchIterator it = new BatchIterator(data, new BatchIterator.Options(3, 9, 0, 5, true, false, 1));
        assertThatThrownBy(() -> it.seek(new BatchIterator.Position(0, 24))).hasMessageContaining("past the 23 rows");
    }

    @Test
    void batchesArePaddedToTheLongestWithMaskedLabels() {
        List<TrainingExample> data = examples(3); // lengths 2, 3, 4
        List<TrainingBatch> batches = all(new BatchIterator(data, new BatchIterator.Options(2, 16, 7, 0, false, false, 1)));
        assertThat(batches).hasSize(2);
        TrainingBatch b = batches.get(0);
        assertThat(b.length()).isEqualTo(3);
        assertThat(b.inputIds()).containsExactly(10, 10, 7, 11, 11, 11);
        assertThat(b.attentionMask()).containsExactly(1, 1, 0, 1, 1, 1);
        assertThat(b.labels()).containsExactly(IGNORE, 10, IGNORE, IGNORE, 11, 11);
        assertThat(batches.get(1).batchSize()).isEqualTo(1);
        assertThat(batches.get(1).length()).isEqualTo(4);
    }

    @Test
    void packingConcatenatesUpToMaxLengthAndMasksBoundaryLabels() {
        List<TrainingExample> data = examples(5); // lengths 2, 3, 4, 5, 6
        List<TrainingBatch> batches = all(new BatchIterator(data, new BatchIterator.Options(8, 9, 0, 0, false, true, 1)));
        assertThat(batches).hasSize(1);
        TrainingBatch b = batches.get(0);
        // rows: [2+3+4] = 9, [5], [6]
        assertThat(b.batchSize()).isEqualTo(3);
        assertThat(b.length()).isEqualTo(9);
        assertThat(Arrays.copyOfRange(b.inputIds(), 0, 9)).containsExactly(10, 10, 11, 11, 11, 12, 12, 12, 12);
        assertThat(Arrays.copyOfRange(b.labels(), 0, 9))
                .containsExactly(IGNORE, 10, IGNORE, 11, 11, IGNORE, 12, 12, 12);
        assertThat(Arrays.copyOfRange(b.attentionMask(), 9, 18)).containsExactly(1, 1, 1, 1, 1, 0, 0, 0, 0);
        long labelled = data.stream().mapToLong(e -> e.labelledTokens()).sum();
        assertThat(b.labelledTokens()).isEqualTo(labelled);
        assertThatThrownBy(() -> new BatchIterator(data, new BatchIterator.Options(8, 4, 0, 0, false, true, 1)))
                .hasMessageContaining("longer than maxLength");
    }

    @Test
    void padIdComesFromTheConfig() {
        assertThat(ExampleEncoder.padId(llama)).isEqualTo(ExampleEncoder.tokenId(llama, "<|eot_id|>")); // no pad_token: eos
        assertThatThrownBy(() -> ExampleEncoder.tokenId(llama, "two words"))
                .hasMessageContaining("is not a single token");
    }
}
