package org.lorafoundry.datasets.service;

import org.lorafoundry.datasets.persistence.VersionRecord;

/**
 * What an ingest did.
 *
 * @param kind     what happened (also the {@code outcome} tag of the ingest counter)
 * @param ingestId the ingest's id (null when the command was applied before)
 * @param version  the version created or found identical; null otherwise
 * @param report   the report; null when the command was applied before
 */
public record IngestOutcome(Kind kind, String ingestId, VersionRecord version, IngestReport report) {

    public enum Kind {
        /** A new version was stored and DatasetIngested published. */
        CREATED,
        /** The content equals an existing version: that version is the answer (DatasetIngested again), nothing stored. */
        EXISTING,
        /** Refused with DatasetRejected; the report is kept. */
        REJECTED,
        /** The command's event id was applied before (redelivery): nothing done. */
        ALREADY_APPLIED
    }
}
