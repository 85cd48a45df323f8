package org.lorafoundry.engine.lora;

import java.util.Locale;

/**
 * PEFT's {@code get_nb_trainable_parameters()}: trainable = LoRA A/B + the adapter's own copies of base parameters
 * ({@code modules_to_save}, {@code bias}); all = the base model's parameters (a tied head once) + LoRA A/B + the
 * {@code modules_to_save} copies (PEFT keeps the original module beside its trainable copy).
 */
public record ParameterCount(long trainable, long total) {

    public double trainablePercent() {
        return total == 0 ? 0 : 100.0 * trainable / total;
    }

    /** As PEFT's {@code print_trainable_parameters()} prints it. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %.4f", trainable,
                total, trainablePercent());
    }
}
