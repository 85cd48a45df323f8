package org.lorafoundry.registry.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The searchable facts of a version (no lineage), with its adapter's visibility and latest version. */
public record VersionSummary(long id, String team, String name, int version, int latestVersion, String visibility,
        String jobId, String verdict, String baseModelName, String baseModelSha256, String datasetId,
        String datasetName, int datasetVersion, String description, Map<String, String> tags,
        Map<String, Double> metrics, String manifestSha256, long artifactSize, String artifactProblem, String createdBy,
        Instant createdAt, List<String> aliases) {

    public VersionSummary withAliases(List<String> names) {
        return new VersionSummary(id, team, name, version, latestVersion, visibility, jobId, verdict, baseModelName,
                baseModelSha256, datasetId, datasetName, datasetVersion, description, tags, metrics, manifestSha256,
                artifactSize, artifactProblem, createdBy, createdAt, List.copyOf(names));
    }
}
