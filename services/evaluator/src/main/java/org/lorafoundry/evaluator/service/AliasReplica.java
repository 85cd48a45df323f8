package org.lorafoundry.evaluator.service;

import java.sql.SQLException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.evaluator.persistence.AliasTargetRepository;
import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.AliasTarget;

/**
 * The evaluator's copy of which adapter version holds which alias (DESIGN.md: a service keeps replicas of the facts it
 * needs, fed by events). Each registry event replaces the adapter's whole alias table, in one transaction with the
 * event id. Events of one adapter share a Kafka key, so they arrive in the order the registry committed them.
 */
@ApplicationScoped
public class AliasReplica {

    public static final String CONSUMER = "evaluator.registry-events";
    private static final ProcessedEvents EVENTS = new ProcessedEvents(CONSUMER);

    private final Transactions transactions;
    private final AliasTargetRepository aliases;

    AliasReplica(Transactions transactions, AliasTargetRepository aliases) {
        this.transactions = transactions;
        this.aliases = aliases;
    }

    /** @return false when the event was applied before */
    public boolean replace(EventMetadata cause, String team, String adapterName, List<AliasTarget> table)
            throws SQLException {
        return transactions.inTransaction(tx -> {
            if (!EVENTS.claim(tx, cause.eventId())) {
                return false;
            }
            aliases.replace(tx, team, adapterName, table, cause.eventId());
            return true;
        });
    }
}
