package org.lorafoundry.datasets.persistence;

import java.time.Instant;

/** A dataset name with its latest version. */
public record DatasetSummary(String team, String name, int latestVersion, Instant createdAt, Instant updatedAt,
        VersionRecord latest) {
}
