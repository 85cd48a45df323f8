package org.lorafoundry.registry.service;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.lorafoundry.engine.model.Architecture;
import org.lorafoundry.engine.safetensors.TensorInfo;

/**
 * The modules of a checkpoint that a LoRA can target ({@code ModelConfigSummary.linear_module_names}; jobs check a
 * spec's {@code target_modules} against them): the 2-D {@code <path>.weight} tensors whose last path segment is one
 * of the architecture's linear layers, as module paths of the {@code *ForCausalLM} model.
 */
public final class LinearModules {

    private LinearModules() {
    }

    /** Last path segments of the projections a LoRA adapts (PEFT's names; GPT-2's Conv1D layers included). */
    public static Set<String> layerNames(Architecture architecture) {
        return switch (architecture) {
            case GPT2 -> new TreeSet<>(List.of("c_attn", "c_proj", "c_fc"));
            case LLAMA, QWEN2 -> new TreeSet<>(List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                    "down_proj"));
        };
    }

    /** Hugging Face's {@code base_model_prefix}: GPT-2 checkpoints usually omit it, the model's module paths have it. */
    static String modulePrefix(Architecture architecture) {
        return switch (architecture) {
            case GPT2 -> "transformer";
            case LLAMA, QWEN2 -> "model";
        };
    }

    /** The targetable module paths among the tensors, prefixed where the file omits it, in natural order. */
    public static List<String> of(Architecture architecture, Collection<TensorInfo> tensors) {
        Set<String> names = layerNames(architecture);
        String prefix = modulePrefix(architecture) + ".";
        Set<String> modules = new LinkedHashSet<>();
        for (TensorInfo tensor : tensors) {
            if (!tensor.name().endsWith(".weight") || tensor.rank() != 2) {
                continue;
            }
            String module = tensor.name().substring(0, tensor.name().length() - ".weight".length());
            String last = module.substring(module.lastIndexOf('.') + 1);
            if (names.contains(last)) {
                modules.add(module.startsWith(prefix) ? module : prefix + module);
            }
        }
        List<String> sorted = new ArrayList<>(modules);
        sorted.sort(NATURAL_ORDER);
        return sorted;
    }

    /** Compares digit runs as numbers: {@code layers.2} before {@code layers.10}. */
    static final Comparator<String> NATURAL_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                int c = new BigInteger(a.substring(si, i)).compareTo(new BigInteger(b.substring(sj, j)));
                if (c != 0) {
                    return c;
                }
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };
}
