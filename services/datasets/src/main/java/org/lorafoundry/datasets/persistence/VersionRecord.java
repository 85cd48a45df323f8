package org.lorafoundry.datasets.persistence;

import java.time.Instant;

import org.lorafoundry.proto.v1.DatasetIngested;

/**
 * One immutable dataset version.
 *
 * @param ingested the DatasetIngested published when it was created (command_event_id of the creating command)
 */
public record VersionRecord(String datasetId, String team, String name, int version, String contentSha256,
        DatasetIngested ingested, String ingestId, String createdBy, Instant createdAt) {

    /** {@code team/name@vN}. */
    public String ref() {
        return team + "/" + name + "@v" + version;
    }
}
