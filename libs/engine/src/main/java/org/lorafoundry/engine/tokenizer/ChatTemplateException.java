package org.lorafoundry.engine.tokenizer;

/** A chat template that cannot be rendered: a syntax error, an unsupported construct, or its own raise_exception. */
public class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
