package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lorafoundry.engine.Fixtures;
import org.lorafoundry.engine.safetensors.SafetensorsReader;

/** The PEFT adapters {@code scripts/make_peft_fixtures.py} writes (committed under fixtures/peft) and their references. */
public final class PeftCases {
    /** Every case, by architecture; see make_peft_fixtures.py for what each covers. */
    public static final List<String> CASES = List.of("gpt2-default", "gpt2-all-linear", "gpt2-bias-save",
            "gpt2-layers", "llama-default", "llama-all-linear", "llama-regex", "llama-pissa", "qwen2-default",
            "qwen2-bias-norm", "qwen2-all");

    private PeftCases() {
    }

    public static Path committed() {
        return Fixtures.root().resolve("peft");
    }

    /** reference.json of a case. */
    public record Reference(String name, String base, long trainable, long total, List<String> adaptedModules,
            List<String> savedKeys, JsonNode json) {
    }

    public static Reference reference(Path caseDir) {
        JsonNode r = Fixtures.json(caseDir.resolve("reference.json"));
        return new Reference(r.get("case").asText(), r.get("base").asText(), r.get("trainable_parameters").asLong(),
                r.get("all_parameters").asLong(), texts(r.get("adapted_modules")), texts(r.get("saved_keys")), r);
    }

    /** Input ids and PEFT's logits for them: the adapter's and merge_and_unload()'s. */
    public record Logits(long[] ids, long[] idShape, float[] peft, float[] merged) {
        public NDArray ids(NDManager manager) {
            return manager.create(ids, new Shape(idShape));
        }
    }

    public static Logits logits(Path caseDir) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(caseDir.resolve("logits.safetensors"))) {
            return new Logits(r.tensor("input_ids").toLongArray(), r.tensor("input_ids").shape(),
                    r.tensor("peft_logits").toFloatArray(), r.tensor("merged_logits").toFloatArray());
        }
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("sizes differ: " + a.length + " vs " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    /** PEFT's bias="all" + modules_to_save quirk keys, which carry nothing a loader needs. */
    public static boolean isQuirkKey(String key) {
        return key.contains(".modules_to_save.") || key.contains(".original_module.");
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
