package org.lorafoundry.registry.persistence;

import java.time.Instant;

/** An adapter {@code team/name}: who may see it, its highest version. */
public record AdapterRow(String team, String name, String visibility, int latestVersion, Instant createdAt,
        Instant updatedAt) {

    public static final String PRIVATE = "PRIVATE";
    public static final String ORG = "ORG";

    public boolean orgVisible() {
        return ORG.equals(visibility);
    }
}
