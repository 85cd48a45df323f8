package org.lorafoundry.engine.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.train.LrSchedule;

/**
 * Small JSONL data sets for fine-tuning runs on the committed tiny llama fixture (vocab 320, 2 layers of width 32):
 * a date-to-words task (prompt/completion), its validation split, and general text (the fixture tokenizer's corpus
 * sentences recombined) as reference data.
 */
final class FineTuneTesting {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "LoRA adapters train a low-rank update of frozen weights.",
            "Hello, world! Hello again, world.",
            "Tokenizers split text into pieces; models predict the next piece.",
            "user asks, assistant answers, system sets the rules.");

    private FineTuneTesting() {
    }

    /** {@code Date 1965-05-10 in words:} -> {@code  May 10, 1965.}, {@code n} rows from {@code seed}. */
    static Path dates(Path dir, String name, int n, long seed) throws IOException {
        Random rng = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            LocalDate d = LocalDate.of(1950 + rng.nextInt(70), 1 + rng.nextInt(12), 1 + rng.nextInt(28));
            lines.add(JSON.writeValueAsString(Map.of("prompt", "Date " + d + " in words:", "completion",
                    " " + d.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + d.getDayOfMonth() + ", "
                            + d.getYear() + ".")));
        }
        return write(dir, name, lines);
    }

    /** General text: {@code n} rows of two or three corpus sentences. */
    static Path generalText(Path dir, String name, int n, long seed) throws IOException {
        Random rng = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder text = new StringBuilder();
            int k = 2 + rng.nextInt(2);
            for (int j = 0; j < k; j++) {
                text.append(j == 0 ? "" : " ").append(SENTENCES.get(rng.nextInt(SENTENCES.size())));
            }
            lines.add(JSON.writeValueAsString(Map.of("text", text.toString())));
        }
        return write(dir, name, lines);
    }

    static Path write(Path dir, String name, List<String> lines) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), lines);
    }

    /** A small, fast run: LoRA r=4 on q/v/o/down_proj, lr 1e-2, batch 4 x 2 accumulated, 48 tokens at most. */
    static FineTuneSpec.Builder spec(Path data) throws IOException {
        return FineTuneSpec.builder().baseModel(Fixtures.model("llama"))
                .trainData(dates(data, "train.jsonl", 24, 1)).validationData(dates(data, "valid.jsonl", 6, 2))
                .lora(LoraConfig.builder().r(4).loraAlpha(8).targetModules("q_proj", "v_proj", "o_proj", "down_proj")
                        .build())
                .learningRate(1e-2).weightDecay(0.01).schedule(LrSchedule.LINEAR).warmupSteps(1).batchSize(4)
                .gradientAccumulationSteps(2).maxSeqLength(48).seed(7);
    }
}
