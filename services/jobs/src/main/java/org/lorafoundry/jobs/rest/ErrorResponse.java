package org.lorafoundry.jobs.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every error of the API: a machine-readable code, a message a person can act on, and for refused jobs every field
 * violation.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ErrorResponse(String code, String message, List<Violation> violations) {

    public record Violation(String field, String code, String message) {
    }

    public static ErrorResponse of(String code, String message) {
        return new ErrorResponse(code, message, List.of());
    }
}
