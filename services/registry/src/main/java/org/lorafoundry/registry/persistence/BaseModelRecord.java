package org.lorafoundry.registry.persistence;

import java.time.Instant;

import org.lorafoundry.proto.v1.BaseModelRegistered;

/** A registered base model: the BaseModelRegistered last published for it, and when. */
public record BaseModelRecord(BaseModelRegistered registered, Instant createdAt, Instant updatedAt) {

    public String name() {
        return registered.getName();
    }

    public String sha256() {
        return registered.getSha256();
    }
}
