package org.lorafoundry.registry.persistence;

import java.time.Instant;

import org.lorafoundry.proto.v1.DirectoryRef;

/** An alias with what its version is (for AliasTarget entries and the API). */
public record AliasRow(String alias, int version, String verdict, DirectoryRef artifact, String baseModelName,
        String baseModelSha256, String updatedBy, Instant updatedAt) {
}
