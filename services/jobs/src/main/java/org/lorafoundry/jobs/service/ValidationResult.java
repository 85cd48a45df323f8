package org.lorafoundry.jobs.service;

import java.util.List;
import java.util.stream.Collectors;

import org.lorafoundry.proto.v1.FieldViolation;
import org.lorafoundry.proto.v1.RejectionCode;

/**
 * What validation found: nothing (valid), or every violation and the rejection code of the first.
 *
 * @param code       null when valid
 * @param violations every problem found, not only the first
 */
public record ValidationResult(RejectionCode code, List<FieldViolation> violations) {

    public ValidationResult {
        violations = List.copyOf(violations);
    }

    public boolean valid() {
        return violations.isEmpty();
    }

    /** One line for a person: every violation, field first. */
    public String summary() {
        return violations.stream().map(v -> v.getField() + ": " + v.getMessage()).collect(Collectors.joining("; "));
    }
}
