package org.lorafoundry.registry.service;

/**
 * A model directory that cannot be registered.
 *
 * @see #code() LOCATION_INVALID, CONFIG_UNREADABLE, CONFIG_INVALID, UNSUPPORTED_ARCHITECTURE, TOKENIZER_UNREADABLE,
 *      TOKENIZER_MISMATCH, WEIGHTS_UNREADABLE
 */
public class BaseModelInvalidException extends Exception {

    private final String code;

    public BaseModelInvalidException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
