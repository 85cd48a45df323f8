package org.lorafoundry.engine.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.lorafoundry.engine.nn.Linear;

/**
 * Every linear projection of a loaded model under its Hugging Face module name ({@code model.layers.0.self_attn.q_proj},
 * {@code transformer.h.0.attn.c_attn}, {@code lm_head}), in forward order: what LoRA targets, by the names PEFT uses.
 */
public final class ModuleRegistry {
    private final Map<String, Linear> linears = new LinkedHashMap<>();

    void register(Linear linear) {
        if (linears.putIfAbsent(linear.name(), linear) != null) {
            throw new IllegalStateException("module registered twice: " + linear.name());
        }
    }

    /** All module names, in forward order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(linears.keySet());
    }

    public Collection<Linear> linears() {
        return Collections.unmodifiableCollection(linears.values());
    }

    public boolean contains(String name) {
        return linears.containsKey(name);
    }

    /** The module with this exact name, or {@link IllegalArgumentException} listing what exists. */
    public Linear linear(String name) {
        Linear l = linears.get(name);
        if (l == null) {
            throw new IllegalArgumentException("no linear module '" + name + "'; modules are named like "
                    + linears.keySet().stream().limit(8).toList() + (linears.size() > 8 ? " ..." : ""));
        }
        return l;
    }

    /**
     * PEFT's {@code target_modules} as a list: a module matches a target when its name equals it or ends with
     * {@code "." + target} (so {@code q_proj} selects every layer's q_proj, {@code c_attn} GPT-2's fused projections).
     */
    public List<Linear> matching(Collection<String> targets) {
        List<Linear> out = new ArrayList<>();
        for (Linear l : linears.values()) {
            for (String t : targets) {
                if (l.name().equals(t) || l.name().endsWith("." + t)) {
                    out.add(l);
                    break;
                }
            }
        }
        return out;
    }

    /** PEFT's {@code target_modules} as a string: a regular expression that must match the whole module name. */
    public List<Linear> matchingRegex(String regex) {
        Pattern p = Pattern.compile(regex);
        return linears.values().stream().filter(l -> p.matcher(l.name()).matches()).toList();
    }

    public int size() {
        return linears.size();
    }
}
