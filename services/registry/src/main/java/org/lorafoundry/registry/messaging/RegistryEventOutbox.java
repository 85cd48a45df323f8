package org.lorafoundry.registry.messaging;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.platform.outbox.Outbox;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.AliasChanged;
import org.lorafoundry.proto.v1.BaseModelRegistered;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.registry.domain.Names;

/**
 * Writes {@code foundry.registry.events} envelopes to the outbox in the caller's transaction. Keys: {@code <team>/<name>}
 * for adapter events, {@code base-model:<name>} for base models. The topic is compacted, so adapter events carry the
 * adapter's whole alias table; callers lock the adapter (or base model) row first, so a key's events keep commit order.
 */
@ApplicationScoped
public class RegistryEventOutbox {

    private final Outbox outbox;

    RegistryEventOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    public void adapterVersionRegistered(Connection tx, EventMetadata cause, AdapterVersionRegistered registered)
            throws SQLException {
        append(tx, cause, Names.adapterKey(registered.getTeam(), registered.getAdapterName()), "AdapterVersionRegistered",
                RegistryEvent.newBuilder().setAdapterVersionRegistered(registered));
    }

    public void aliasChanged(Connection tx, EventMetadata cause, AliasChanged changed) throws SQLException {
        append(tx, cause, Names.adapterKey(changed.getTeam(), changed.getAdapterName()), "AliasChanged",
                RegistryEvent.newBuilder().setAliasChanged(changed));
    }

    public void baseModelRegistered(Connection tx, EventMetadata cause, BaseModelRegistered registered)
            throws SQLException {
        append(tx, cause, Names.baseModelKey(registered.getName()), "BaseModelRegistered",
                RegistryEvent.newBuilder().setBaseModelRegistered(registered));
    }

    private void append(Connection tx, EventMetadata cause, String key, String type, RegistryEvent.Builder event)
            throws SQLException {
        event.setOccurredAt(ProtoTimestamps.now());
        outbox.append(tx, Topics.REGISTRY_EVENTS, key, cause, type, event.build().toByteArray());
    }
}
