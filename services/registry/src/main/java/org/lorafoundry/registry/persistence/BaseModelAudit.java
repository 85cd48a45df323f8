package org.lorafoundry.registry.persistence;

import java.time.Instant;

/** A registration (REGISTERED) or replacement (REPLACED) of a base model. */
public record BaseModelAudit(long id, String name, String action, String fromSha256, String toSha256,
        String fromLocation, String toLocation, String actor, Instant at) {

    public static final String REGISTERED = "REGISTERED";
    public static final String REPLACED = "REPLACED";
}
