package org.lorafoundry.engine.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.lora.LoraTargets;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModelConfig;
import org.lorafoundry.engine.model.ModelLoader;
import org.lorafoundry.engine.safetensors.TensorSource;

/**
 * A Hugging Face model directory as {@code inspect} shows it: the architecture and the config values the engine runs
 * with, the parameter count (transformers' {@code num_parameters()}), the linear modules LoRA can target (under the
 * names {@code target_modules} matches), PEFT's default targets, the weights and the tokenizer. The model is loaded
 * memory-mapped, which reads little more than the headers.
 */
record ModelInspection(String path, String modelType, Config config, long parameters, String weights, int tensors,
        long weightBytes, List<LinearModule> linearModules, List<String> defaultLoraTargets,
        TokenizerSummary tokenizer) {

    /** The config values the engine resolved (architecture defaults applied). */
    record Config(int vocabSize, int hiddenSize, int numLayers, int numHeads, int numKvHeads, int headDim,
            int intermediateSize, int maxPositions, double normEps, String activation, Double ropeTheta,
            boolean tieWordEmbeddings, String dtype) {
        static Config of(ModelConfig c) {
            return new Config(c.vocabSize(), c.hiddenSize(), c.numLayers(), c.numHeads(), c.numKvHeads(),
                    c.headDim(), c.intermediateSize(), c.maxPositions(), c.normEps(), c.activation(),
                    Double.isNaN(c.ropeTheta()) ? null : c.ropeTheta(), c.tieWordEmbeddings(), c.dtype());
        }
    }

    /**
     * One linear projection.
     *
     * @param layout {@code OUT_IN} ({@code nn.Linear}) or {@code IN_OUT} (GPT-2's Conv1D, PEFT's fan_in_fan_out)
     * @param tiedTo the module whose weight it shares, or null
     */
    record LinearModule(String name, int inFeatures, int outFeatures, String layout, String tiedTo) {
    }

    static ModelInspection of(Path dir) throws IOException {
        TensorTable weights;
        try (TensorSource source = TensorSource.openModelDirectory(dir)) {
            weights = TensorTable.of(source);
        }
        try (NDManager manager = EngineRuntime.newManager();
                CausalLanguageModel model = ModelLoader.load(dir, manager)) {
            ModelConfig c = model.config();
            List<LinearModule> linears = model.modules().linears().stream().map(l -> new LinearModule(l.name(),
                    l.inFeatures(), l.outFeatures(), l.checkpointLayout().name(), l.tiedTo())).toList();
            return new ModelInspection(dir.toString(), c.modelType(), Config.of(c), model.parameterCount(),
                    weights.source(), weights.tensors().size(), weights.bytes(), linears,
                    LoraTargets.defaultTargets(c.architecture()), TokenizerSummary.read(dir, c));
        }
    }

    /**
     * @param allModules every linear module on its own line; otherwise one line per kind ({@code q_proj x2})
     */
    String render(boolean allModules) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s: %s, %,d parameters%n", path, modelType, parameters));
        s.append(String.format(Locale.ROOT, "  layers %d, hidden %d, heads %d (key/value %d, head_dim %d), "
                + "intermediate %d, vocab %d, context %d%n", config.numLayers(), config.hiddenSize(),
                config.numHeads(), config.numKvHeads(), config.headDim(), config.intermediateSize(),
                config.vocabSize(), config.maxPositions()));
        s.append(String.format(Locale.ROOT, "  %s, norm eps %s%s, tied embeddings %s, stored as %s%n",
                config.activation(), config.normEps(), config.ropeTheta() == null ? "" : ", rope_theta "
                        + TextTable.number(config.ropeTheta()), config.tieWordEmbeddings() ? "yes" : "no",
                config.dtype()));
        s.append(String.format(Locale.ROOT, "weights: %s (%,d tensors, %s)%n", weights, tensors,
                TextTable.byteSize(weightBytes)));
        s.append(String.format(Locale.ROOT, "linear modules: %d; PEFT's default target_modules: %s%n",
                linearModules.size(), String.join(", ", defaultLoraTargets)));
        TextTable table = TextTable.of(allModules ? "MODULE" : "KIND", "IN", "OUT", "LAYOUT", "TIED TO");
        if (allModules) {
            linearModules.forEach(m -> table.row(m.name(), m.inFeatures(), m.outFeatures(), m.layout(), m.tiedTo()));
        } else {
            Map<String, List<LinearModule>> kinds = new LinkedHashMap<>();
            linearModules.forEach(m -> kinds.computeIfAbsent(m.name().substring(m.name().lastIndexOf('.') + 1)
                    + " " + m.inFeatures() + " " + m.outFeatures(), k -> new ArrayList<>()).add(m));
            kinds.values().forEach(ms -> {
                LinearModule m = ms.get(0);
                String kind = m.name().substring(m.name().lastIndexOf('.') + 1);
                table.row(kind + (ms.size() > 1 ? " x" + ms.size() : ""), m.inFeatures(), m.outFeatures(), m.layout(),
                        m.tiedTo());
            });
        }
        s.append(table.render("  "));
        TokenizerSummary t = tokenizer;
        s.append(String.format(Locale.ROOT, "tokenizer: %s, %,d tokens (%d added); bos %s, eos %s, pad %s, unk %s; "
                + "chat template %s; generation stops on ids %s%n", t.type(), t.size(), t.addedTokens(),
                TextTable.orDash(t.bosToken()), TextTable.orDash(t.eosToken()), TextTable.orDash(t.padToken()),
                TextTable.orDash(t.unkToken()), t.chatTemplate() ? "yes" : "no",
                t.eosTokenIds()));
        return s.toString();
    }
}
