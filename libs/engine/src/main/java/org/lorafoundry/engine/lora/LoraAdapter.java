package org.lorafoundry.engine.lora;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lorafoundry.engine.nn.Parameter;

/**
 * One named LoRA adapter on a {@link LoraModel}'s base: its config, the low-rank weights of every targeted projection,
 * and its own copies of the base parameters it trains in full ({@code modules_to_save}, {@code bias}). Owns its arrays
 * (a sub-manager of the base model's); created, loaded and removed through {@link LoraModel}.
 */
public final class LoraAdapter {
    /** PEFT's prefix of every key in {@code adapter_model.safetensors}. */
    public static final String PEFT_PREFIX = "base_model.model.";

    private final String name;
    private final LoraTargets targets;
    private final NDManager manager;
    private final Map<String, LoraWeights> layers = new LinkedHashMap<>();
    private final Map<String, Parameter> overrides = new LinkedHashMap<>();
    private volatile boolean merged;

    LoraAdapter(String name, LoraTargets targets, NDManager manager) {
        this.name = name;
        this.targets = targets;
        this.manager = manager;
    }

    void add(LoraWeights w) {
        layers.put(w.module(), w);
    }

    void addOverride(Parameter p) {
        overrides.put(p.name(), p);
    }

    public String name() {
        return name;
    }

    /** The config, {@code target_modules} made explicit. */
    public LoraConfig config() {
        return targets.config();
    }

    public LoraTargets targets() {
        return targets;
    }

    /** LoRA weights by module name, in forward order. */
    public Map<String, LoraWeights> layers() {
        return Collections.unmodifiableMap(layers);
    }

    /** The adapter's own values of base parameters, by state-dict name ({@code modules_to_save}, {@code bias}). */
    public Map<String, Parameter> overrides() {
        return Collections.unmodifiableMap(overrides);
    }

    /** Whether this adapter is merged into the base weights now. */
    public boolean isMerged() {
        return merged;
    }

    void setMerged(boolean merged) {
        this.merged = merged;
    }

    NDManager manager() {
        return manager;
    }

    /**
     * Everything this adapter trains, as PEFT names it in {@code adapter_model.safetensors} order of modules:
     * {@code lora_A} and {@code lora_B} of each projection, then the copied base parameters.
     */
    public List<Parameter> trainableParameters() {
        List<Parameter> out = new ArrayList<>();
        for (LoraWeights w : layers.values()) {
            out.add(w.loraA());
            out.add(w.loraB());
        }
        out.addAll(overrides.values());
        return out;
    }

    /**
     * The key of a trainable tensor in {@code adapter_model.safetensors}: LoRA weights keep their names; a copied base
     * parameter gets PEFT's prefix, and a targeted projection's bias is {@code <module>.base_layer.bias}.
     */
    public String savedKey(String parameterName) {
        if (parameterName.startsWith(PEFT_PREFIX)) {
            return parameterName;
        }
        int dot = parameterName.lastIndexOf('.');
        String module = parameterName.substring(0, Math.max(dot, 0));
        if (dot > 0 && layers.containsKey(module)) {
            return PEFT_PREFIX + module + ".base_layer" + parameterName.substring(dot);
        }
        return PEFT_PREFIX + parameterName;
    }

    @Override
    public String toString() {
        return "LoraAdapter[" + name + ": " + layers.size() + " modules, " + overrides.size() + " saved parameters"
                + (merged ? ", merged" : "") + "]";
    }
}
