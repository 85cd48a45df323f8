package org.lorafoundry.datasets.persistence;

import java.time.Instant;

/**
 * One ingest attempt.
 *
 * @param outcome          CREATED, EXISTING or REJECTED
 * @param versionDatasetId the version created or found identical; null when rejected
 * @param reportJson       the ingest report (JSON)
 */
public record IngestRecord(String ingestId, String team, String name, String datasetId, String outcome,
        String versionDatasetId, String sourceUri, String actor, String commandEventId, String message,
        String reportJson, Instant createdAt) {
}
