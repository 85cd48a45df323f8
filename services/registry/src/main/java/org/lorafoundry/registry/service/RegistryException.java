package org.lorafoundry.registry.service;

/** A refusal the API answers as JSON {@code {code, message}} with an HTTP status (see rest.ApiExceptionMapper). */
public class RegistryException extends RuntimeException {

    private final int status;
    private final String code;

    public RegistryException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static RegistryException notFound(String message) {
        return new RegistryException(404, "NOT_FOUND", message);
    }

    public static RegistryException badRequest(String code, String message) {
        return new RegistryException(400, code, message);
    }

    public static RegistryException forbidden(String message) {
        return new RegistryException(403, "FORBIDDEN", message);
    }

    public static RegistryException conflict(String code, String message) {
        return new RegistryException(409, code, message);
    }
}
