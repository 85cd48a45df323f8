package org.lorafoundry.registry.persistence;

import java.time.Instant;
import java.util.Map;

import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.DirectoryRef;

/**
 * A version to insert.
 *
 * @param artifactProblem null when the artifact is in the registry's location and verified; else why it is not
 * @param promotion       what became of promote_to_alias ({@code alias, outcome, code, message}); null if not asked
 * @param registered      the AdapterVersionRegistered as published, without alias table
 * @param sourceEvent     the EvaluationCompleted bytes it came from (null for versions not made from an event)
 * @param createdAt       null = the transaction's time
 */
public record NewVersion(String team, String name, int version, String jobId, String verdict, String baseModelName,
        String baseModelSha256, String datasetId, String datasetName, int datasetVersion, String description,
        Map<String, String> tags, Map<String, Double> metrics, DirectoryRef artifact, String artifactProblem,
        Map<String, Object> promotion, AdapterVersionRegistered registered, byte[] sourceEvent, String sourceEventId,
        String createdBy, Instant createdAt) {
}
