package org.lorafoundry.engine.lora;

/** A LoRA configuration that cannot apply: invalid values, patterns that match no module, a different PEFT type. */
public class LoraConfigException extends RuntimeException {
    public LoraConfigException(String message) {
        super(message);
    }

    public LoraConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
