package org.lorafoundry.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.lorafoundry.engine.model.ModuleRegistry;
import org.lorafoundry.engine.nn.Parameter;

/**
 * Which trainable tensors get weight decay, as Hugging Face's Trainer groups them ({@code get_decay_parameter_names}):
 * no decay on a parameter of a LayerNorm module (by type) or whose lower-cased name contains {@code bias},
 * {@code layernorm}, {@code rmsnorm}, a {@code norm} path segment or a {@code _norm} suffix; decay on everything else
 * ({@code lora_A}, {@code lora_B}, copies of linear and embedding weights).
 *
 * <p>The type test here is structural: a parameter belongs to a normalization layer when its module is not a linear
 * projection and that module's weight is a vector. In gpt2, llama and qwen2 those modules are exactly the LayerNorms
 * and RMSNorms (embeddings and projections hold matrices); RMSNorms are exempt in transformers by their names
 * ({@code input_layernorm}, {@code model.norm}), which the name rules here also catch.
 *
 * @param decay the tensors AdamW decays
 * @param noDecay the tensors it leaves undecayed (biases, norm weights)
 */
public record WeightDecayGroups(List<Parameter> decay, List<Parameter> noDecay) {
    /** transformers' {@code forbidden_name_patterns}, searched in the lower-cased name. */
    private static final List<Pattern> EXEMPT_NAMES = List.of(Pattern.compile("bias"), Pattern.compile("layernorm"),
            Pattern.compile("rmsnorm"), Pattern.compile("(?:^|\\.)norm(?:$|\\.)"), Pattern.compile("_norm(?:$|\\.)"));

    public WeightDecayGroups {
        decay = List.copyOf(decay);
        noDecay = List.copyOf(noDecay);
    }

    /** Every parameter decayed (one group: what {@code torch.optim.AdamW(params)} alone does). */
    public static WeightDecayGroups allDecayed(List<Parameter> parameters) {
        return new WeightDecayGroups(parameters, List.of());
    }

    /**
     * Splits an adapter's trainable tensors.
     *
     * @param trainable the adapter's tensors, named as {@code LoraAdapter#trainableParameters()} names them (LoRA
     *     weights with PEFT's prefix, copies by the base's state-dict name)
     * @param base the base model's modules (for the type test)
     */
    public static WeightDecayGroups of(List<Parameter> trainable, ModuleRegistry base) {
        List<Parameter> decay = new ArrayList<>();
        List<Parameter> noDecay = new ArrayList<>();
        for (Parameter p : trainable) {
            (exempt(p.name(), base) ? noDecay : decay).add(p);
        }
        return new WeightDecayGroups(decay, noDecay);
    }

    /** Whether the parameter of this name is left undecayed. */
    static boolean exempt(String name, ModuleRegistry base) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Pattern p : EXEMPT_NAMES) {
            if (p.matcher(lower).find()) {
                return true;
            }
        }
        return inNormalizationLayer(name, base);
    }

    private static boolean inNormalizationLayer(String name, ModuleRegistry base) {
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return false;
        }
        String module = name.substring(0, dot);
        Parameter weight = base.parameters().get(module + ".weight");
        return !base.contains(module) && weight != null && weight.value().getShape().dimension() == 1;
    }

    /** Whether AdamW decays {@code p} (identity, not name: the groups hold the trainer's own parameter objects). */
    public boolean decays(Parameter p) {
        return decay.stream().anyMatch(d -> d == p);
    }

    /** Every parameter, decayed ones first. */
    public List<Parameter> all() {
        List<Parameter> out = new ArrayList<>(decay);
        out.addAll(noDecay);
        return out;
    }
}
