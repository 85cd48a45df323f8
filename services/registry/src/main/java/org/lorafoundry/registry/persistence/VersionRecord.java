package org.lorafoundry.registry.persistence;

import java.util.Map;

import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;

/**
 * A whole version: its summary, artifact, lineage (inside {@code registered}) and the event it came from.
 *
 * @param sourceEvent null for versions that were not registered from an EvaluationCompleted
 */
public record VersionRecord(VersionSummary summary, DirectoryRef artifact, AdapterVersionRegistered registered,
        EvaluationCompleted sourceEvent, Map<String, Object> promotion) {
}
