package org.lorafoundry.engine.lora;

/**
 * A valid PEFT LoRA configuration that uses a feature this engine does not implement (DoRA, {@code lora_bias},
 * embedding LoRA, inits that rewrite the base weights other than PiSSA, ...). The message names the field and why.
 */
public class UnsupportedLoraConfigException extends LoraConfigException {
    public UnsupportedLoraConfigException(String message) {
        super(message);
    }
}
