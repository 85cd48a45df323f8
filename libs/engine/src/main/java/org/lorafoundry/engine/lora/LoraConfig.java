package org.lorafoundry.engine.lora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PEFT's {@code LoraConfig} (peft 0.21), the fields this engine implements, with PEFT's names (in
 * {@code adapter_config.json}), meanings and defaults. Read and written by {@link LoraConfigJson}.
 *
 * @param r rank ({@code r}, default 8)
 * @param loraAlpha {@code lora_alpha} (default 8); scaling is {@code lora_alpha / r}, or {@code lora_alpha / sqrt(r)}
 *     with {@code use_rslora}
 * @param loraDropout {@code lora_dropout} (default 0): dropout on the adapter's input, in training passes only
 * @param targetModules {@code target_modules}: null = PEFT's default for the architecture (gpt2: {@code c_attn};
 *     llama, qwen2: {@code q_proj, v_proj}); a list (exact name or {@code .name} suffix), a regex (full match) or
 *     {@code all-linear}
 * @param excludeModules {@code exclude_modules}: null, a list (exact or suffix) or a regex (full match)
 * @param bias {@code bias}: which existing biases the adapter trains and saves
 * @param useRslora {@code use_rslora} (default false)
 * @param initLoraWeights {@code init_lora_weights}: {@code true} (A Kaiming-uniform, B zero; the default),
 *     {@code false} (A and B both as {@code nn.Linear}'s default: a non-zero start, for tests), {@code gaussian}
 *     (A normal with std 1/r, B zero), {@code pissa} / {@code pissa_niter_N} (principal singular vectors; see
 *     {@link LoraModel}); other PEFT inits can be loaded when they do not rewrite the base weights
 * @param layersToTransform {@code layers_to_transform}: layer indexes (null = all)
 * @param layersPattern {@code layers_pattern}: the name before the layer index (null = any)
 * @param rankPattern {@code rank_pattern}: module-name pattern to rank, first match wins
 * @param alphaPattern {@code alpha_pattern}: module-name pattern to alpha, first match wins
 * @param modulesToSave {@code modules_to_save}: modules trained in full and saved with the adapter (a name matches
 *     every module whose name ends with it, as PEFT does)
 * @param taskType {@code task_type}: {@code CAUSAL_LM} or null
 * @param baseModelNameOrPath {@code base_model_name_or_path}
 * @param revision {@code revision} of the base model, or null
 */
public record LoraConfig(
        int r,
        double loraAlpha,
        double loraDropout,
        ModuleSelector targetModules,
        ModuleSelector excludeModules,
        Bias bias,
        boolean useRslora,
        String initLoraWeights,
        List<Integer> layersToTransform,
        List<String> layersPattern,
        Map<String, Integer> rankPattern,
        Map<String, Double> alphaPattern,
        List<String> modulesToSave,
        String taskType,
        String baseModelNameOrPath,
        String revision) {

    /** PEFT's {@code peft_type} of LoRA adapters. */
    public static final String PEFT_TYPE = "LORA";
    public static final String CAUSAL_LM = "CAUSAL_LM";
    /** init_lora_weights values PEFT 0.21 knows (besides pissa_niter_N). */
    static final List<String> KNOWN_INITS = List.of("true", "false", "gaussian", "pissa", "eva", "orthogonal",
            "mica", "olora", "corda", "loftq", "lora_ga");

    /** PEFT's {@code bias} values. */
    public enum Bias {
        /** No bias is trained (default). */
        NONE("none"),
        /** Every bias of the model is trained and saved with the adapter. */
        ALL("all"),
        /** The biases of the LoRA-targeted projections are trained and saved. */
        LORA_ONLY("lora_only");

        private final String peftName;

        Bias(String peftName) {
            this.peftName = peftName;
        }

        public String peftName() {
            return peftName;
        }

        public static Bias of(String value) {
            for (Bias b : values()) {
                if (b.peftName.equals(value)) {
                    return b;
                }
            }
            throw new LoraConfigException("bias must be one of none, all, lora_only; got '" + value + "'");
        }
    }

    public LoraConfig {
        if (r <= 0) {
            throw new LoraConfigException("r must be a positive integer, got " + r);
        }
        if (!Double.isFinite(loraAlpha)) {
            throw new LoraConfigException("lora_alpha must be a finite number, got " + loraAlpha);
        }
        if (!(loraDropout >= 0 && loraDropout < 1)) {
            throw new LoraConfigException("lora_dropout must be in [0, 1), got " + loraDropout);
        }
        bias = bias == null ? Bias.NONE : bias;
        initLoraWeights = initLoraWeights == null ? "true" : initLoraWeights;
        if (!KNOWN_INITS.contains(initLoraWeights) && !initLoraWeights.matches("pissa_niter_\\d+")) {
            throw new LoraConfigException("init_lora_weights must be true, false, gaussian, pissa, pissa_niter_N or"
                    + " another PEFT init (" + String.join(", ", KNOWN_INITS) + "); got '" + initLoraWeights + "'");
        }
        layersToTransform = layersToTransform == null || layersToTransform.isEmpty() ? null
                : List.copyOf(layersToTransform);
        layersPattern = layersPattern == null || layersPattern.isEmpty() ? null : List.copyOf(layersPattern);
        rankPattern = rankPattern == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rankPattern));
        alphaPattern = alphaPattern == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(alphaPattern));
        modulesToSave = modulesToSave == null || modulesToSave.isEmpty() ? null : List.copyOf(modulesToSave);
        for (Map.Entry<String, Integer> e : rankPattern.entrySet()) {
            if (e.getValue() == null || e.getValue() <= 0) {
                throw new LoraConfigException("rank_pattern['" + e.getKey() + "'] must be a positive integer, got "
                        + e.getValue());
            }
        }
        if (targetModules != null && targetModules.isRegex() && layersToTransform != null) {
            throw new LoraConfigException("layers_to_transform cannot be used when target_modules is a str ("
                    + targetModules + "), as in PEFT");
        }
        if (targetModules != null && targetModules.isRegex() && layersPattern != null) {
            throw new LoraConfigException("layers_pattern cannot be used when target_modules is a str, as in PEFT");
        }
        if (layersPattern != null && layersToTransform == null) {
            throw new LoraConfigException("when layers_pattern is specified, layers_to_transform must also be specified");
        }
        if (taskType != null && !taskType.equals(CAUSAL_LM)) {
            throw new UnsupportedLoraConfigException("task_type '" + taskType + "' is not supported: this engine runs"
                    + " causal language models (task_type CAUSAL_LM or null)");
        }
    }

    /** PEFT's defaults: r 8, alpha 8, no dropout, default targets of the architecture, bias none. */
    public static LoraConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.r = r;
        b.loraAlpha = loraAlpha;
        b.loraDropout = loraDropout;
        b.targetModules = targetModules;
        b.excludeModules = excludeModules;
        b.bias = bias;
        b.useRslora = useRslora;
        b.initLoraWeights = initLoraWeights;
        b.layersToTransform = layersToTransform;
        b.layersPattern = layersPattern;
        b.rankPattern = new LinkedHashMap<>(rankPattern);
        b.alphaPattern = new LinkedHashMap<>(alphaPattern);
        b.modulesToSave = modulesToSave;
        b.taskType = taskType;
        b.baseModelNameOrPath = baseModelNameOrPath;
        b.revision = revision;
        return b;
    }

    /** {@code lora_alpha / r} or, with rsLoRA, {@code lora_alpha / sqrt(r)}, for a module of rank r and alpha. */
    public double scaling(int rank, double alpha) {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** init_lora_weights is a PiSSA variant ({@code pissa}, {@code pissa_niter_N}). */
    public boolean isPissa() {
        return initLoraWeights.startsWith("pissa");
    }

    /** Builder with PEFT's defaults. */
    public static final class Builder {
        private int r = 8;
        private double loraAlpha = 8;
        private double loraDropout = 0.0;
        private ModuleSelector targetModules;
        private ModuleSelector excludeModules;
        private Bias bias = Bias.NONE;
        private boolean useRslora;
        private String initLoraWeights = "true";
        private List<Integer> layersToTransform;
        private List<String> layersPattern;
        private Map<String, Integer> rankPattern = new LinkedHashMap<>();
        private Map<String, Double> alphaPattern = new LinkedHashMap<>();
        private List<String> modulesToSave;
        private String taskType = CAUSAL_LM;
        private String baseModelNameOrPath;
        private String revision;

        public Builder r(int r) {
            this.r = r;
            return this;
        }

        public Builder loraAlpha(double loraAlpha) {
            this.loraAlpha = loraAlpha;
            return this;
        }

        public Builder loraDropout(double loraDropout) {
            this.loraDropout = loraDropout;
            return this;
        }

        public Builder targetModules(ModuleSelector targetModules) {
            this.targetModules = targetModules;
            return this;
        }

        /** A list of names (exact or suffix). */
        public Builder targetModules(String... names) {
            return targetModules(ModuleSelector.names(names));
        }

        /** A regex (full match), or {@code all-linear}. */
        public Builder targetModulesRegex(String regex) {
            return targetModules(ModuleSelector.regex(regex));
        }

        public Builder excludeModules(ModuleSelector excludeModules) {
            this.excludeModules = excludeModules;
            return this;
        }

        public Builder bias(Bias bias) {
            this.bias = bias;
            return this;
        }

        public Builder useRslora(boolean useRslora) {
            this.useRslora = useRslora;
            return this;
        }

        /** {@code true}, {@code false}, {@code gaussian}, {@code pissa}, {@code pissa_niter_N}. */
        public Builder initLoraWeights(String initLoraWeights) {
            this.initLoraWeights = initLoraWeights;
            return this;
        }

        public Builder initLoraWeights(boolean initLoraWeights) {
            return initLoraWeights(String.valueOf(initLoraWeights));
        }

        public Builder layersToTransform(Integer... layers) {
            this.layersToTransform = layers.length == 0 ? null : List.of(layers);
            return this;
        }

        public Builder layersToTransform(List<Integer> layers) {
            this.layersToTransform = layers;
            return this;
        }

        public Builder layersPattern(String... patterns) {
            this.layersPattern = patterns.length == 0 ? null : List.of(patterns);
            return this;
        }

        public Builder layersPattern(List<String> patterns) {
            this.layersPattern = patterns;
            return this;
        }

        public Builder rankPattern(String pattern, int rank) {
            this.rankPattern.put(pattern, rank);
            return this;
        }

        public Builder rankPattern(Map<String, Integer> rankPattern) {
            this.rankPattern = new LinkedHashMap<>(rankPattern);
            return this;
        }

        public Builder alphaPattern(String pattern, double alpha) {
            this.alphaPattern.put(pattern, alpha);
            return this;
        }

        public Builder alphaPattern(Map<String, Double> alphaPattern) {
            this.alphaPattern = new LinkedHashMap<>(alphaPattern);
            return this;
        }

        public Builder modulesToSave(String... modules) {
            this.modulesToSave = modules.length == 0 ? null : new ArrayList<>(List.of(modules));
            return this;
        }

        public Builder modulesToSave(List<String> modules) {
            this.modulesToSave = modules;
            return this;
        }

        public Builder taskType(String taskType) {
            this.taskType = taskType;
            return this;
        }

        public Builder baseModelNameOrPath(String baseModelNameOrPath) {
            this.baseModelNameOrPath = baseModelNameOrPath;
            return this;
        }

        public Builder revision(String revision) {
            this.revision = revision;
            return this;
        }

        public LoraConfig build() {
            return new LoraConfig(r, loraAlpha, loraDropout, targetModules, excludeModules, bias, useRslora,
                    initLoraWeights, layersToTransform, layersPattern, rankPattern, alphaPattern, modulesToSave,
                    taskType, baseModelNameOrPath, revision);
        }
    }
}
