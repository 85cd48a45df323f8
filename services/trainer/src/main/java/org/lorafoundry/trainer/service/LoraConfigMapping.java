package org.lorafoundry.trainer.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.ModuleSelector;
import org.lorafoundry.proto.v1.TrainingErrorCode;

/**
 * A job's {@code foundry.v1.LoraConfig} as the engine's (PEFT's) {@link LoraConfig}. Unset fields keep PEFT's defaults;
 * the initialisations the engine does not create (OLoRA, LoftQ, EVA, CorDA) are refused with the supported list.
 */
final class LoraConfigMapping {

    private LoraConfigMapping() {
    }

    static LoraConfig toEngine(org.lorafoundry.proto.v1.LoraConfig lora, String baseModelName) throws TrainingFailure {
        LoraConfig.Builder config = LoraConfig.builder().baseModelNameOrPath(baseModelName);
        if (lora.hasR()) {
            config.r(lora.getR());
        }
        if (lora.hasLoraAlpha()) {
            config.loraAlpha(lora.getLoraAlpha());
        }
        if (lora.hasLoraDropout()) {
            config.loraDropout(lora.getLoraDropout());
        }
        if (!lora.getTargetModulesRegex().isBlank()) {
            config.targetModulesRegex(lora.getTargetModulesRegex()); // "all-linear" included: the engine knows it
        } else if (lora.getTargetModulesList().stream().anyMatch(ModuleSelector.ALL_LINEAR::equalsIgnoreCase)) {
            config.targetModules(ModuleSelector.allLinear()); // the list form, as the jobs service also accepts it
        } else if (lora.getTargetModulesCount() > 0) {
            config.targetModules(ModuleSelector.names(lora.getTargetModulesList()));
        }
        if (!lora.getExcludeModulesRegex().isBlank()) {
            config.excludeModules(ModuleSelector.regex(lora.getExcludeModulesRegex()));
        } else if (lora.getExcludeModulesCount() > 0) {
            config.excludeModules(ModuleSelector.names(lora.getExcludeModulesList()));
        }
        switch (lora.getBias()) {
            case LORA_BIAS_ALL -> config.bias(LoraConfig.Bias.ALL);
            case LORA_BIAS_LORA_ONLY -> config.bias(LoraConfig.Bias.LORA_ONLY);
            default -> config.bias(LoraConfig.Bias.NONE);
        }
        if (lora.hasUseRslora()) {
            config.useRslora(lora.getUseRslora());
        }
        switch (lora.getInitLoraWeights()) {
            case INIT_LORA_WEIGHTS_UNSPECIFIED, INIT_LORA_WEIGHTS_DEFAULT -> config.initLoraWeights(true);
            case INIT_LORA_WEIGHTS_RANDOM -> config.initLoraWeights(false);
            case INIT_LORA_WEIGHTS_GAUSSIAN -> config.initLoraWeights("gaussian");
            case INIT_LORA_WEIGHTS_PISSA -> config.initLoraWeights("pissa");
            default -> throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_UNSUPPORTED_CONFIG,
                    "init_lora_weights " + lora.getInitLoraWeights() + " is not supported by the engine; use "
                            + "DEFAULT, RANDOM, GAUSSIAN or PISSA");
        }
        if (lora.getLayersToTransformCount() > 0) {
            config.layersToTransform(lora.getLayersToTransformList());
        }
        if (!lora.getLayersPattern().isBlank()) {
            config.layersPattern(lora.getLayersPattern());
        }
        if (lora.getRankPatternCount() > 0) {
            config.rankPattern(new TreeMap<>(lora.getRankPatternMap())); // proto maps are unordered: fix one order
        }
        if (lora.getAlphaPatternCount() > 0) {
            Map<String, Double> alpha = new LinkedHashMap<>();
            new TreeMap<>(lora.getAlphaPatternMap()).forEach((k, v) -> alpha.put(k, v.doubleValue()));
            config.alphaPattern(alpha);
        }
        if (lora.getModulesToSaveCount() > 0) {
            config.modulesToSave(lora.getModulesToSaveList());
        }
        if (!lora.getTaskType().isBlank()) {
            config.taskType(lora.getTaskType());
        }
        try {
            return config.build();
        } catch (IllegalArgumentException e) {
            throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_UNSUPPORTED_CONFIG,
                    "invalid LoRA config: " + e.getMessage(), e);
        }
    }
}
