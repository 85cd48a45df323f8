package org.lorafoundry.registry.persistence;

import java.time.Instant;

/**
 * One change to an adapter (alias moved or removed, visibility changed).
 *
 * @param id 0 for a new entry
 * @param at null for a new entry (the transaction's time)
 */
public record AuditEntry(long id, String team, String name, String action, String alias, Integer fromVersion,
        Integer toVersion, boolean overridden, String reason, String comment, String fromValue, String toValue,
        String actor, Instant at) {

    public static final String ALIAS_SET = "ALIAS_SET";
    public static final String ALIAS_REMOVED = "ALIAS_REMOVED";
    public static final String VISIBILITY_CHANGED = "VISIBILITY_CHANGED";
}
