package org.lorafoundry.registry.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Every error of the API.
 *
 * @param code    machine-readable, UPPER_SNAKE: NOT_FOUND, FORBIDDEN, INVALID_REQUEST, INVALID_CURSOR, INVALID_ALIAS,
 *                VERDICT_NOT_PASSED, BASE_MODEL_INVALID, BASE_MODEL_CONFLICT, LOCATION_NOT_ALLOWED,
 *                ARTIFACT_UNAVAILABLE, ARTIFACT_CORRUPT, ARTIFACT_MISSING, INTERNAL...
 * @param message for a person: what is wrong and what to do
 */
@Schema(name = "Error")
public record ApiError(String code, String message) {
}
