package org.lorafoundry.datasets.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.lorafoundry.datasets.service.IngestReport;

/**
 * Every error of the API.
 *
 * @param code       machine-readable, UPPER_SNAKE (e.g. NOT_FOUND, TEAM_REQUIRED, DATASET_REJECTED, FILE_TOO_LARGE)
 * @param message    for a person
 * @param violations the invalid parameters (INVALID_REQUEST)
 * @param ingestId   the rejected ingest (DATASET_REJECTED, FILE_TOO_LARGE)
 * @param report     the rejected ingest's report
 */
@Schema(name = "Error")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String code, String message, List<String> violations, String ingestId, IngestReport report) {

    public static ApiError of(String code, String message) {
        return new ApiError(code, message, null, null, null);
    }
}
