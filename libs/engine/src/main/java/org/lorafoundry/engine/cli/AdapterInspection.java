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
import org.lorafoundry.engine.lora.LoraAdapter;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraConfigJson;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.lora.ParameterCount;
import org.lorafoundry.engine.safetensors.SafetensorsReader;
import org.lorafoundry.engine.safetensors.TensorInfo;

/**
 * A PEFT adapter directory as {@code inspect} shows it: its {@code LoraConfig}, the modules its weights adapt (rank,
 * in/out features) and the base parameters it carries copies of, from {@code adapter_model.safetensors}; with a base
 * model, PEFT's trainable / all parameter counts of the two together (the adapter is loaded onto it, which also proves
 * they fit).
 *
 * @param base the base model it was loaded onto, or null
 * @param parameterCount PEFT's counts on that base, or null without one
 */
record AdapterInspection(String path, Config config, String weights, int tensors, long parametersInFile,
        List<AdaptedModule> modules, List<String> savedParameters, String base, ParameterCount parameterCount) {
    private static final String LORA_A = ".lora_A.weight";
    private static final String LORA_B = ".lora_B.weight";

    /** {@code adapter_config.json}'s fields, with PEFT's names. */
    record Config(int r, double loraAlpha, double loraDropout, String targetModules, String excludeModules,
            String bias, boolean useRslora, String initLoraWeights, List<String> modulesToSave,
            List<Integer> layersToTransform, Map<String, Integer> rankPattern, Map<String, Double> alphaPattern,
            String taskType, String baseModelNameOrPath) {
        static Config of(LoraConfig c) {
            return new Config(c.r(), c.loraAlpha(), c.loraDropout(),
                    c.targetModules() == null ? null : c.targetModules().toString(),
                    c.excludeModules() == null ? null : c.excludeModules().toString(), c.bias().peftName(),
                    c.useRslora(), c.initLoraWeights(), c.modulesToSave(), c.layersToTransform(), c.rankPattern(),
                    c.alphaPattern(), c.taskType(), c.baseModelNameOrPath());
        }
    }

    /** One adapted projection: {@code lora_A [r, in]}, {@code lora_B [out, r]}. */
    record AdaptedModule(String name, long r, long inFeatures, long outFeatures) {
    }

    /**
     * @param base the base model to load the adapter onto for PEFT's parameter counts, or null
     */
    static AdapterInspection of(Path dir, Path base) throws IOException {
        LoraConfig config = LoraConfigJson.read(dir);
        Path file = dir.resolve(LoraModel.WEIGHTS_FILE);
        InputPaths.file(file, "the adapter's weights");
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        try (SafetensorsReader reader = SafetensorsReader.open(file)) {
            reader.infos().forEach(t -> byName.put(t.name(), t));
        }
        List<AdaptedModule> modules = new ArrayList<>();
        List<String> saved = new ArrayList<>();
        for (TensorInfo t : byName.values()) {
            String key = t.name().startsWith(LoraAdapter.PEFT_PREFIX)
                    ? t.name().substring(LoraAdapter.PEFT_PREFIX.length()) : t.name();
            if (key.endsWith(LORA_A)) {
                String module = key.substring(0, key.length() - LORA_A.length());
                TensorInfo b = byName.get(t.name().replace(LORA_A, LORA_B));
                modules.add(new AdaptedModule(module, t.dim(0), t.dim(1), b == null ? -1 : b.dim(0)));
            } else if (!key.endsWith(LORA_B)) {
                saved.add(key);
            }
        }
        long inFile = byName.values().stream().mapToLong(TensorInfo::numel).sum();
        ParameterCount count = base == null ? null : countOn(base, dir);
        return new AdapterInspection(dir.toString(), Config.of(config), file.toString(), byName.size(), inFile,
                modules, saved, base == null ? null : base.toString(), count);
    }

    private static ParameterCount countOn(Path base, Path adapterDir) throws IOException {
        try (NDManager manager = EngineRuntime.newManager(); LoraModel model = LoraModel.load(base, manager)) {
            model.loadAdapter(LoadedModel.ADAPTER_NAME, adapterDir);
            return model.parameterCount(LoadedModel.ADAPTER_NAME);
        }
    }

    String render() {
        StringBuilder s = new StringBuilder();
        s.append(path).append(": PEFT LoRA adapter").append(config.baseModelNameOrPath() == null ? ""
                : " for " + config.baseModelNameOrPath()).append('\n');
        s.append(String.format(Locale.ROOT, "  r %d, lora_alpha %s, lora_dropout %s, bias %s%s, init %s, task %s%n",
                config.r(), TextTable.number(config.loraAlpha()), TextTable.number(config.loraDropout()),
                config.bias(),
                config.useRslora() ? ", rsLoRA" : "", config.initLoraWeights(), config.taskType()));
        s.append("  target_modules ").append(config.targetModules() == null ? "(architecture default)"
                : config.targetModules());
        if (config.excludeModules() != null) {
            s.append(", exclude_modules ").append(config.excludeModules());
        }
        if (config.modulesToSave() != null) {
            s.append(", modules_to_save ").append(config.modulesToSave());
        }
        if (config.layersToTransform() != null) {
            s.append(", layers_to_transform ").append(config.layersToTransform());
        }
        if (!config.rankPattern().isEmpty() || !config.alphaPattern().isEmpty()) {
            s.append(", rank_pattern ").append(config.rankPattern()).append(", alpha_pattern ")
                    .append(config.alphaPattern());
        }
        s.append('\n');
        s.append(String.format(Locale.ROOT, "weights: %s (%d tensors, %,d parameters)%n", weights, tensors,
                parametersInFile));
        s.append(String.format(Locale.ROOT, "adapted modules: %d%n", modules.size()));
        TextTable table = TextTable.of("MODULE", "R", "IN", "OUT");
        modules.forEach(m -> table.row(m.name(), m.r(), m.inFeatures(), m.outFeatures()));
        s.append(table.render("  "));
        if (!savedParameters.isEmpty()) {
            s.append("copies of base parameters: ").append(String.join(", ", savedParameters)).append('\n');
        }
        if (parameterCount != null) {
            s.append("on ").append(base).append(": ").append(parameterCount).append('\n');
        } else {
            s.append("(give --base DIR for PEFT's trainable / all parameter counts on the base model)\n");
        }
        return s.toString();
    }
}
