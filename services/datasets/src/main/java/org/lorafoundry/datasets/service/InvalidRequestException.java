package org.lorafoundry.datasets.service;

import java.util.List;

/** An upload request with invalid parameters (REST 400); nothing is stored. */
public final class InvalidRequestException extends RuntimeException {

    private final List<String> violations;

    public InvalidRequestException(List<String> violations) {
        super(String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
