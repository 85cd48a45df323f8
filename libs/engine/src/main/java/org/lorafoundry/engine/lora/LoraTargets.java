package org.lorafoundry.engine.lora;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lorafoundry.engine.model.Architecture;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.model.ModuleRegistry;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.Parameter;

/**
 * What a {@link LoraConfig} selects in a model, by PEFT 0.21's rules ({@code check_target_module_exists},
 * {@code _maybe_include_all_linear_layers}, {@code get_pattern_key}, {@code _set_trainable}), over the Hugging Face
 * module names of the checkpoint:
 * <ul>
 * <li>{@code exclude_modules} first: a string must match the whole name; a list entry the whole name or a
 * {@code .entry} suffix. Modules in (or under) {@code modules_to_save} are excluded as well.</li>
 * <li>{@code target_modules}: a string must match the whole name ({@code re.fullmatch}); {@code all-linear} is every
 * linear projection except the output head; a list entry matches the whole name or a {@code .entry} suffix, and then
 * {@code layers_to_transform} keeps only modules whose first {@code <layers_pattern>.<index>.} (or, without a
 * pattern, first {@code .<name>.<index>.}) has an index in the list.</li>
 * <li>rank and alpha: the first {@code rank_pattern} / {@code alpha_pattern} key {@code k} for which the name
 * matches {@code (.*\.)?(k)} entirely, else {@code r} / {@code lora_alpha}.</li>
 * <li>{@code modules_to_save}: every module whose name ends with an entry (a plain suffix, as PEFT: {@code norm}
 * also selects {@code input_layernorm}); each saved module's parameters are copied into the adapter.</li>
 * </ul>
 * A matched module that is not a linear projection, or a config that matches nothing, is a {@link
 * LoraConfigException}. Stricter than PEFT: a {@code modules_to_save} entry that matches nothing is an error too.
 *
 * @param config the config with {@code target_modules} made explicit (PEFT's per-architecture default when null)
 * @param targets the LoRA-adapted projections, in forward order
 * @param modulesToSave the saved modules' names (outermost when nested)
 * @param savedParameters state-dict names of the base parameters the adapter carries its own copies of
 *     ({@code modules_to_save}, then {@code bias})
 */
public record LoraTargets(LoraConfig config, List<Target> targets, List<String> modulesToSave,
        List<String> savedParameters) {

    /** One adapted projection with its rank, alpha and scaling. */
    public record Target(Linear linear, int r, double alpha, double scaling) {
        public String module() {
            return linear.name();
        }
    }

    /** PEFT's {@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING} for the architectures run here. */
    public static List<String> defaultTargets(Architecture architecture) {
        return switch (architecture) {
            case GPT2 -> List.of("c_attn");
            case LLAMA, QWEN2 -> List.of("q_proj", "v_proj");
        };
    }

    /** Resolves {@code config} against the model's module names. */
    public static LoraTargets resolve(LoraConfig config, CausalLanguageModel model) {
        ModuleRegistry registry = model.modules();
        if (config.targetModules() == null) {
            config = config.toBuilder()
                    .targetModules(ModuleSelector.names(defaultTargets(model.config().architecture()))).build();
        }
        ModuleSelector targets = config.targetModules();
        Set<String> allLinear = null;
        if (targets.isAllLinear()) {
            allLinear = new LinkedHashSet<>(registry.names());
            allLinear.remove(OUTPUT_HEAD);
        }
        Set<String> moduleNames = registry.moduleNames();

        List<String> saved = resolveModulesToSave(config, moduleNames);
        List<Pattern> savedExclusion = new ArrayList<>();
        if (config.modulesToSave() != null) {
            for (String m : config.modulesToSave()) {
                savedExclusion.add(PyRegex.compile("(^|.*\\.)" + m + "($|\\..*)", "modules_to_save entry"));
            }
        }
        Pattern excludeRegex = config.excludeModules() != null && config.excludeModules().isRegex()
                ? PyRegex.compile(config.excludeModules().regex(), "exclude_modules") : null;
        Pattern targetRegex = targets.isRegex() && allLinear == null
                ? PyRegex.compile(targets.regex(), "target_modules") : null;
        List<Pattern> layerPatterns = layerPatterns(config);

        List<Target> out = new ArrayList<>();
        List<String> notLinear = new ArrayList<>();
        int excluded = 0;
        for (String key : moduleNames) {
            if (isExcluded(config, excludeRegex, key) || savedExclusion.stream().anyMatch(p -> p.matcher(key).lookingAt())) {
                excluded++;
                continue;
            }
            boolean found;
            if (allLinear != null) {
                found = allLinear.contains(key);
            } else if (targetRegex != null) {
                found = targetRegex.matcher(key).matches();
            } else if (targets.names().contains(key)) {
                found = true;
            } else {
                found = targets.names().stream().anyMatch(t -> key.endsWith("." + t));
                if (found && config.layersToTransform() != null) {
                    Integer index = layerIndex(layerPatterns, key);
                    found = index != null && config.layersToTransform().contains(index);
                }
            }
            if (!found) {
                continue;
            }
            if (!registry.contains(key)) {
                notLinear.add(key);
                continue;
            }
            Linear linear = registry.linear(key);
            int r = config.rankPattern().getOrDefault(patternKey(config.rankPattern(), key), config.r());
            double alpha = config.alphaPattern().getOrDefault(patternKey(config.alphaPattern(), key),
                    config.loraAlpha());
            out.add(new Target(linear, r, alpha, config.scaling(r, alpha)));
        }
        if (!notLinear.isEmpty()) {
            throw new UnsupportedLoraConfigException("target_modules " + targets + " selects modules that are not"
                    + " linear projections: " + sample(notLinear) + "; LoRA here adapts nn.Linear / Conv1D modules"
                    + " only (linear modules: " + sample(new ArrayList<>(registry.names())) + ")");
        }
        if (out.isEmpty()) {
            StringBuilder why = new StringBuilder("target_modules ").append(targets);
            if (config.layersToTransform() != null) {
                why.append(" with layers_to_transform ").append(config.layersToTransform());
                if (config.layersPattern() != null) {
                    why.append(" and layers_pattern ").append(config.layersPattern());
                }
            }
            if (config.excludeModules() != null) {
                why.append(" minus exclude_modules ").append(config.excludeModules());
            }
            why.append(" matched no module of this ").append(model.config().modelType()).append(" model");
            if (excluded > 0 && config.excludeModules() != null) {
                why.append(" (").append(excluded).append(" modules were excluded)");
            }
            why.append("; its linear modules are named like ").append(sample(new ArrayList<>(registry.names())));
            throw new LoraConfigException(why.toString());
        }
        // Keep forward order.
        List<String> order = new ArrayList<>(registry.names());
        out.sort((a, b) -> Integer.compare(order.indexOf(a.module()), order.indexOf(b.module())));
        return new LoraTargets(config, List.copyOf(out), saved, savedParameters(config, registry, saved, out));
    }

    /** The output embedding ({@code get_output_embeddings()}) PEFT leaves out of {@code all-linear}. */
    private static final String OUTPUT_HEAD = "lm_head";

    private static boolean isExcluded(LoraConfig config, Pattern excludeRegex, String key) {
        ModuleSelector ex = config.excludeModules();
        if (ex == null) {
            return false;
        }
        if (excludeRegex != null) {
            return excludeRegex.matcher(key).matches();
        }
        return ex.names().contains(key) || ex.names().stream().anyMatch(e -> key.endsWith("." + e));
    }

    /** PEFT: {@code re.match(r".*?\.[^.]*\.(?P<idx>\d+)\.", key)} or {@code (?:^|.*?\.){pattern}\.(?P<idx>\d+)\.}. */
    private static List<Pattern> layerPatterns(LoraConfig config) {
        List<Pattern> out = new ArrayList<>();
        if (config.layersPattern() == null) {
            out.add(Pattern.compile(".*?\\.[^.]*\\.(?<idx>\\d+)\\."));
        } else {
            for (String p : config.layersPattern()) {
                out.add(PyRegex.compile("(?:^|.*?\\.)" + p + "\\.(?<idx>\\d+)\\.", "layers_pattern"));
            }
        }
        return out;
    }

    private static Integer layerIndex(List<Pattern> patterns, String key) {
        for (Pattern p : patterns) {
            Matcher m = p.matcher(key);
            if (m.lookingAt()) {
                return Integer.parseInt(m.group("idx"));
            }
        }
        return null;
    }

    /** PEFT's {@code get_pattern_key}: the first key k with {@code re.match(rf"(.*\.)?({k})$", name)}, else null. */
    static String patternKey(Map<String, ?> patterns, String name) {
        for (String k : patterns.keySet()) {
            if (PyRegex.compile("(.*\\.)?(" + k + ")", "rank_pattern/alpha_pattern key").matcher(name).matches()) {
                return k;
            }
        }
        return null;
    }

    private static List<String> resolveModulesToSave(LoraConfig config, Set<String> moduleNames) {
        if (config.modulesToSave() == null) {
            return List.of();
        }
        Set<String> found = new LinkedHashSet<>();
        for (String m : config.modulesToSave()) {
            List<String> hits = moduleNames.stream().filter(k -> k.endsWith(m)).toList();
            if (hits.isEmpty()) {
                throw new LoraConfigException("modules_to_save entry '" + m + "' matches no module; modules are named"
                        + " like " + sample(new ArrayList<>(moduleNames)));
            }
            found.addAll(hits);
        }
        List<String> outermost = new ArrayList<>();
        for (String k : found) {
            if (found.stream().noneMatch(o -> !o.equals(k) && k.startsWith(o + "."))) {
                outermost.add(k);
            }
        }
        return List.copyOf(outermost);
    }

    private static List<String> savedParameters(LoraConfig config, ModuleRegistry registry, List<String> saved,
            List<Target> targets) {
        Set<String> out = new LinkedHashSet<>();
        for (Parameter p : registry.parameters().values()) {
            if (saved.stream().anyMatch(m -> p.name().startsWith(m + "."))) {
                out.add(p.name());
            }
        }
        switch (config.bias()) {
            case ALL -> registry.parameters().keySet().stream()
                    .filter(n -> n.equals("bias") || n.endsWith(".bias")).forEach(out::add);
            case LORA_ONLY -> targets.stream().map(t -> t.linear().biasParameter()).filter(b -> b != null)
                    .forEach(b -> out.add(b.name()));
            case NONE -> {
            }
        }
        List<String> ordered = new ArrayList<>();
        for (String n : registry.parameters().keySet()) {
            if (out.contains(n)) {
                ordered.add(n);
            }
        }
        return List.copyOf(ordered);
    }

    private static String sample(List<String> names) {
        return names.stream().limit(8).toList() + (names.size() > 8 ? " (+" + (names.size() - 8) + " more)" : "");
    }
}
