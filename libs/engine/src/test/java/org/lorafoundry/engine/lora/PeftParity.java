package org.lorafoundry.engine.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lorafoundry.engine.Parity;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModelLoader;
import org.lorafoundry.engine.safetensors.SafetensorsReader;

/** The LoRA parity checks against PEFT's reference outputs, shared by the committed-fixture test and the live IT. */
final class PeftParity {
    /** fp32 logits must agree with PEFT's to this absolute tolerance (as for the base model). */
    static final double TOLERANCE = Parity.LOGITS_TOLERANCE;
    /** An adapter must move the logits by more than this, or the comparison proves nothing. */
    static final double MIN_EFFECT = 0.05;

    private PeftParity() {
    }

    static String line(String what, String name, double diff) {
        return String.format(Locale.ROOT, "[lora parity] %-16s %-30s max |diff| = %.3e", name, what, diff);
    }

    /** A PEFT-written adapter loaded here gives PEFT's logits (and moves them away from the base's). */
    static double adapterLogits(Path caseDir, Path baseDir, NDManager manager) throws Exception {
        PeftCases.Logits ref = PeftCases.logits(caseDir);
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(baseDir, scope)) {
            lora.loadAdapter("peft", caseDir);
            NDArray ids = ref.ids(scope);
            float[] actual = lora.forward(ids, null, "peft").toFloatArray();
            float[] base = lora.forward(ids, null, null).toFloatArray();
            double diff = PeftCases.maxAbsDiff(actual, ref.peft());
            System.out.println(line("adapter (PEFT-written)", caseDir.getFileName().toString(), diff));
            assertThat(PeftCases.maxAbsDiff(actual, base)).as("the adapter changes the logits").isGreaterThan(MIN_EFFECT);
            assertThat(diff).isLessThan(TOLERANCE);
            return diff;
        }
    }

    /**
     * merge() gives PEFT's merge_and_unload() logits, unmerge() restores the base exactly, mergeAndUnload() gives a
     * plain model with PEFT's merged logits, and the merged model saved in Hugging Face layout loads back with them.
     */
    static double[] merged(Path caseDir, Path baseDir, NDManager manager, Path tmp) throws Exception {
        PeftCases.Logits ref = PeftCases.logits(caseDir);
        String name = caseDir.getFileName().toString();
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(baseDir, scope)) {
            lora.loadAdapter("peft", caseDir);
            NDArray ids = ref.ids(scope);
            float[] base = lora.forward(ids, null, null).toFloatArray();
            lora.merge("peft");
            double merged = PeftCases.maxAbsDiff(lora.forward(ids, null, "peft").toFloatArray(), ref.merged());
            lora.unmerge();
            double restored = PeftCases.maxAbsDiff(lora.forward(ids, null, null).toFloatArray(), base);
            double unmergedAdapter = PeftCases.maxAbsDiff(lora.forward(ids, null, "peft").toFloatArray(), ref.peft());
            Path out = tmp.resolve(name + "-merged");
            lora.saveMerged("peft", out);
            CausalLanguageModel plain = lora.mergeAndUnload("peft");
            double unloaded = PeftCases.maxAbsDiff(plain.forward(ids).toFloatArray(), ref.merged());
            double saved;
            try (CausalLanguageModel reloaded = ModelLoader.load(out, scope)) {
                saved = PeftCases.maxAbsDiff(reloaded.forward(ids).toFloatArray(), ref.merged());
            }
            assertThat(Files.exists(out.resolve("tokenizer.json"))).isTrue();
            plain.close();
            System.out.println(line("merge() vs merge_and_unload", name, merged));
            System.out.println(line("unmerge() vs base", name, restored));
            System.out.println(line("mergeAndUnload() vs PEFT", name, unloaded));
            System.out.println(line("saveMerged()+load vs PEFT", name, saved));
            assertThat(merged).isLessThan(TOLERANCE);
            assertThat(restored).as("unmerge restores the base weights exactly").isZero();
            assertThat(unmergedAdapter).isLessThan(TOLERANCE);
            assertThat(unloaded).isLessThan(TOLERANCE);
            assertThat(saved).isLessThan(TOLERANCE);
            return new double[] {merged, unloaded, saved};
        }
    }

    /** Trainable and total parameters equal PEFT's get_nb_trainable_parameters(); targets equal PEFT's modules. */
    static void countsAndTargets(Path caseDir, Path baseDir, NDManager manager) throws Exception {
        PeftCases.Reference ref = PeftCases.reference(caseDir);
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(baseDir, scope)) {
            LoraAdapter a = lora.loadAdapter("peft", caseDir);
            ParameterCount count = lora.parameterCount("peft");
            System.out.println("[lora parity] " + String.format("%-16s", ref.name()) + " " + count);
            assertThat(count.trainable()).as("trainable").isEqualTo(ref.trainable());
            assertThat(count.total()).as("all").isEqualTo(ref.total());
            assertThat(a.layers().keySet()).containsExactlyInAnyOrderElementsOf(ref.adaptedModules());
        }
    }

    /**
     * An adapter saved here has PEFT's tensor names (without PEFT's redundant modules_to_save/original_module copies),
     * shapes [r, in] / [out, r], and reloads to the same logits.
     */
    static void saveRoundTrip(Path caseDir, Path baseDir, NDManager manager, Path tmp) throws Exception {
        PeftCases.Reference ref = PeftCases.reference(caseDir);
        PeftCases.Logits logits = PeftCases.logits(caseDir);
        Path out = tmp.resolve(ref.name() + "-resaved");
        try (NDManager scope = manager.newSubManager(); LoraModel lora = LoraModel.load(baseDir, scope)) {
            LoraAdapter a = lora.loadAdapter("peft", caseDir);
            lora.saveAdapter("peft", out);
            List<String> expected = new ArrayList<>(ref.savedKeys().stream().filter(k -> !PeftCases.isQuirkKey(k))
                    .toList());
            try (SafetensorsReader r = SafetensorsReader.open(out.resolve(LoraModel.WEIGHTS_FILE))) {
                assertThat(r.names()).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(r.metadata()).containsEntry("format", "pt");
                for (LoraWeights w : a.layers().values()) {
                    assertThat(r.tensor(w.loraA().name()).shape())
                            .containsExactly(w.r(), w.linear().inFeatures());
                    assertThat(r.tensor(w.loraB().name()).shape())
                            .containsExactly(w.linear().outFeatures(), w.r());
                }
            }
            assertThat(Files.readString(out.resolve("README.md"))).contains("library_name: peft", "PeftModel");
            assertThat(LoraConfigJson.read(out)).isEqualTo(a.config().baseModelNameOrPath() == null
                    ? a.config().toBuilder().baseModelNameOrPath(lora.baseName()).build() : a.config());
            lora.loadAdapter("again", out);
            float[] first = lora.forward(logits.ids(scope), null, "peft").toFloatArray();
            float[] second = lora.forward(logits.ids(scope), null, "again").toFloatArray();
            assertThat(PeftCases.maxAbsDiff(first, second)).isZero();
        }
    }
}
