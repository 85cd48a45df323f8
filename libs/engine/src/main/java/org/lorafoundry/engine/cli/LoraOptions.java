package org.lorafoundry.engine.cli;

import java.util.List;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.LoraConfigException;
import org.lorafoundry.engine.lora.ModuleSelector;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** PEFT's {@code LoraConfig} as options, with PEFT's names (dashes for underscores) and defaults. */
final class LoraOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"--r", "--lora-r"}, paramLabel = "R", defaultValue = "8",
            description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int r;

    @Option(names = "--lora-alpha", paramLabel = "ALPHA", defaultValue = "8",
            description = "lora_alpha; the update is scaled by alpha / r (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--lora-dropout", paramLabel = "P", defaultValue = "0",
            description = "Dropout on the adapter's input while training (default: ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--target-modules", paramLabel = "NAME", split = ",",
            description = {"Modules to adapt: names matched exactly or as a '.name' suffix (q_proj,v_proj), or "
                    + "all-linear (every linear layer but the output head).",
                "Default: PEFT's for the architecture (gpt2: c_attn; llama, qwen2: q_proj,v_proj)."})
    List<String> targetModules;

    @Option(names = "--target-modules-regex", paramLabel = "REGEX",
            description = "Modules to adapt: a regular expression the whole module name must match.")
    String targetModulesRegex;

    @Option(names = "--exclude-modules", paramLabel = "NAME", split = ",",
            description = "Modules never adapted (exact names or '.name' suffixes).")
    List<String> excludeModules;

    @Option(names = "--modules-to-save", paramLabel = "NAME", split = ",",
            description = "Modules trained in full and saved with the adapter (e.g. lm_head).")
    List<String> modulesToSave;

    @Option(names = "--bias", paramLabel = "BIAS", defaultValue = "none",
            description = "Biases the adapter trains: none, all or lora_only (default: ${DEFAULT-VALUE}).")
    String bias;

    @Option(names = "--use-rslora", description = "Scale by alpha / sqrt(r) (rank-stabilised LoRA).")
    boolean useRslora;

    @Option(names = "--init-lora-weights", paramLabel = "INIT", defaultValue = "true",
            description = "true (A Kaiming-uniform, B zero), gaussian, pissa, pissa_niter_N or false "
                    + "(default: ${DEFAULT-VALUE}).")
    String initLoraWeights;

    /** The LoraConfig these options give; invalid values are a usage error naming the option. */
    LoraConfig toConfig() {
        if (targetModules != null && targetModulesRegex != null) {
            throw new ParameterException(spec.commandLine(),
                    "give --target-modules or --target-modules-regex, not both");
        }
        LoraConfig.Builder builder = LoraConfig.builder().r(r).loraAlpha(loraAlpha).loraDropout(loraDropout)
                .useRslora(useRslora).initLoraWeights(initLoraWeights);
        if (targetModulesRegex != null) {
            builder.targetModulesRegex(targetModulesRegex);
        } else if (targetModules != null) {
            builder.targetModules(targetModules.size() == 1 && targetModules.get(0)
                    .equalsIgnoreCase(ModuleSelector.ALL_LINEAR) ? ModuleSelector.allLinear()
                    : ModuleSelector.names(targetModules));
        }
        if (excludeModules != null) {
            builder.excludeModules(ModuleSelector.names(excludeModules));
        }
        if (modulesToSave != null) {
            builder.modulesToSave(modulesToSave);
        }
        try {
            return builder.bias(LoraConfig.Bias.of(bias)).build();
        } catch (LoraConfigException e) {
            throw new ParameterException(spec.commandLine(), "invalid LoRA option: " + e.getMessage());
        }
    }
}
