package org.lorafoundry.engine.lora;

import java.util.Locale;
import org.lorafoundry.engine.model.ModelConfig;

/**
 * The {@code README.md} written beside an adapter: Hugging Face model-card front matter (as PEFT writes it, so the Hub
 * links the adapter to its base), what the adapter is, its LoRA settings and parameter counts, and how to load it with
 * PEFT.
 */
final class ModelCard {
    private ModelCard() {
    }

    static String render(LoraAdapter adapter, ModelConfig base, String baseName, ParameterCount count) {
        LoraConfig c = adapter.config();
        String baseRef = baseName == null ? "<base model>" : baseName;
        StringBuilder s = new StringBuilder();
        s.append("---\n");
        if (baseName != null) {
            s.append("base_model: ").append(yaml(baseName)).append('\n');
        }
        s.append("library_name: peft\n");
        s.append("tags:\n");
        if (baseName != null) {
            s.append("- ").append(yaml("base_model:adapter:" + baseName)).append('\n');
        }
        s.append("- lora\n- lora-foundry\n- transformers\n");
        s.append("---\n\n");
        s.append("# LoRA adapter `").append(adapter.name()).append("` for ").append(baseRef).append("\n\n");
        s.append("A LoRA adapter in PEFT's format, written by the LoRA Foundry engine (pure Java, DJL/PyTorch). ")
                .append("It loads in PEFT onto the base model named below and gives the same logits as here.\n\n");
        s.append("## Base model\n\n");
        s.append("- `").append(baseRef).append("` (").append(base.modelType()).append(", ")
                .append(base.numLayers()).append(" layers, width ").append(base.hiddenSize()).append(", vocabulary ")
                .append(base.vocabSize()).append(")\n\n");
        s.append("## LoRA configuration\n\n");
        s.append("| setting | value |\n|---|---|\n");
        row(s, "r", String.valueOf(c.r()));
        row(s, "lora_alpha", num(c.loraAlpha()));
        row(s, "scaling", c.useRslora() ? "lora_alpha / sqrt(r) (rsLoRA)" : "lora_alpha / r");
        row(s, "lora_dropout", num(c.loraDropout()));
        row(s, "target_modules", "`" + c.targetModules() + "`");
        if (c.excludeModules() != null) {
            row(s, "exclude_modules", "`" + c.excludeModules() + "`");
        }
        if (c.layersToTransform() != null) {
            row(s, "layers_to_transform", c.layersToTransform().toString()
                    + (c.layersPattern() != null ? " (layers_pattern " + c.layersPattern() + ")" : ""));
        }
        if (!c.rankPattern().isEmpty()) {
            row(s, "rank_pattern", "`" + c.rankPattern() + "`");
        }
        if (!c.alphaPattern().isEmpty()) {
            row(s, "alpha_pattern", "`" + c.alphaPattern() + "`");
        }
        row(s, "bias", c.bias().peftName());
        if (c.modulesToSave() != null) {
            row(s, "modules_to_save", "`" + c.modulesToSave() + "`");
        }
        row(s, "init_lora_weights", c.initLoraWeights());
        row(s, "adapted modules", adapter.layers().size() + " (" + String.join(", ",
                adapter.layers().keySet().stream().limit(4).toList()) + (adapter.layers().size() > 4 ? ", ..." : "")
                + ")");
        row(s, "parameters", count.toString());
        s.append('\n');
        s.append("## Use with PEFT\n\n");
        s.append("```python\n");
        s.append("from transformers import AutoModelForCausalLM, AutoTokenizer\n");
        s.append("from peft import PeftModel\n\n");
        s.append("base = AutoModelForCausalLM.from_pretrained(\"").append(baseRef).append("\")\n");
        s.append("tokenizer = AutoTokenizer.from_pretrained(\"").append(baseRef).append("\")\n");
        s.append("model = PeftModel.from_pretrained(base, \"path/to/this/adapter\")\n");
        s.append("merged = model.merge_and_unload()  # optional: a plain transformers model\n");
        s.append("```\n\n");
        s.append("Files: `adapter_config.json` (PEFT's LoraConfig), `adapter_model.safetensors` (")
                .append("`base_model.model.<module>.lora_A.weight` [r, in], `lora_B.weight` [out, r]")
                .append(c.modulesToSave() != null || c.bias() != LoraConfig.Bias.NONE
                        ? ", plus the trained copies of base parameters" : "")
                .append(").\n");
        return s.toString();
    }

    private static void row(StringBuilder s, String k, String v) {
        s.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n");
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    private static String yaml(String s) {
        return s.matches("[A-Za-z0-9_./:-]+") ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

}
