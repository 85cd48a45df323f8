package org.lorafoundry.engine.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.TreeSet;
import org.lorafoundry.engine.nn.Linear;
import org.lorafoundry.engine.nn.Parameter;

/**
 * Every linear projection of a loaded model under its Hugging Face module name ({@code model.layers.0.self_attn.q_proj},
 * {@code transformer.h.0.attn.c_attn}, {@code lm_head}), in forward order: what LoRA targets, by the names PEFT uses;
 * and every parameter under its state-dict name ({@code transformer.h.0.ln_1.bias}), tied ones included (marked), which
 * is what {@code bias="all"}, {@code modules_to_save} and a merged checkpoint address.
 */
public final class ModuleRegistry {
    private final Map<String, Linear> linears = new LinkedHashMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    void register(Linear linear) {
        if (linears.putIfAbsent(linear.name(), linear) != null) {
            throw new IllegalStateException("module registered twice: " + linear.name());
        }
    }

    void register(Parameter parameter) {
        if (parameter == null) {
            return;
        }
        if (parameters.putIfAbsent(parameter.name(), parameter) != null) {
            throw new IllegalStateException("parameter registered twice: " + parameter.name());
        }
    }

    /** Every parameter by state-dict name, in checkpoint order of the modules (a tied LM head included, marked). */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The parameter with this state-dict name, or {@link IllegalArgumentException}. */
    public Parameter parameter(String name) {
        Parameter p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter '" + name + "'; parameters are named like "
                    + parameters.keySet().stream().limit(6).toList() + " ...");
        }
        return p;
    }

    /**
     * The names of every module that owns parameters, with their parents ({@code model}, {@code model.layers},
     * {@code model.layers.0}, {@code model.layers.0.self_attn}, ...): transformers' {@code named_modules()} without the
     * parameterless ones (dropout, activations, rotary embedding), sorted.
     */
    public Set<String> moduleNames() {
        Set<String> out = new TreeSet<>();
        for (String p : parameters.keySet()) {
            int dot = p.lastIndexOf('.');
            while (dot > 0) {
                p = p.substring(0, dot);
                out.add(p);
                dot = p.lastIndexOf('.');
            }
        }
        return out;
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
