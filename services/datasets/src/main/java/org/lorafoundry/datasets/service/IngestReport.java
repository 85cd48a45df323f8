package org.lorafoundry.datasets.service;

import java.util.List;
import java.util.Map;

import org.lorafoundry.datasets.validation.Problem;
import org.lorafoundry.datasets.validation.ProblemCode;

/**
 * The report of one ingest: kept (as JSON) for accepted and rejected ingests alike, and served over REST.
 *
 * @param ingestId          the ingest's id
 * @param outcome           {@code created}, {@code existing} or {@code rejected}
 * @param version           {@code team/name@vN} created or found identical; null when rejected
 * @param datasetId         the version's dataset id (when accepted) or the requested one
 * @param message           one-line summary
 * @param rowsRead          non-blank lines read
 * @param rowsKept          rows in the version (0 when rejected)
 * @param duplicatesRemoved duplicate rows dropped
 * @param maxListed         how many errors (and warnings) are listed in full; {@code errorCounts}/{@code warningCounts}
 *                          count all of them
 */
public record IngestReport(String ingestId, String team, String name, String datasetId, String outcome,
        String version, String message, String sourceUri, String sourceSha256, long sourceBytes,
        String validationSourceUri, long rowsRead, long rowsKept, long duplicatesRemoved, int maxListed,
        List<Problem> errors, Map<ProblemCode, Long> errorCounts, List<Problem> warnings,
        Map<ProblemCode, Long> warningCounts, String createdAt) {

    public boolean hasError(ProblemCode code) {
        return errorCounts != null && errorCounts.containsKey(code);
    }
}
