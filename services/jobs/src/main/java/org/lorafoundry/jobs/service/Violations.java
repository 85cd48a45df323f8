package org.lorafoundry.jobs.service;

import java.util.ArrayList;
import java.util.List;

import org.lorafoundry.proto.v1.FieldViolation;
import org.lorafoundry.proto.v1.RejectionCode;

/** Collects every problem of a spec, each with the rejection code it would cause; the first code wins. */
final class Violations {

    private final List<FieldViolation> violations = new ArrayList<>();
    private RejectionCode code;

    void add(RejectionCode rejection, String field, String violationCode, String message) {
        if (code == null) {
            code = rejection;
        }
        violations.add(FieldViolation.newBuilder().setField(field).setCode(violationCode).setMessage(message).build());
    }

    ValidationResult result() {
        return new ValidationResult(code, violations);
    }
}
