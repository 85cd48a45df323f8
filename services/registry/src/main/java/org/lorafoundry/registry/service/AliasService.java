package org.lorafoundry.registry.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.proto.v1.AliasChanged;
import org.lorafoundry.proto.v1.AliasTarget;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.registry.domain.AliasPolicy;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.messaging.RegistryEventOutbox;
import org.lorafoundry.registry.persistence.AdapterRepository;
import org.lorafoundry.registry.persistence.AdapterRow;
import org.lorafoundry.registry.persistence.AliasRow;
import org.lorafoundry.registry.persistence.AuditEntry;
import org.lorafoundry.registry.persistence.VersionRecord;

/**
 * Aliases and visibility: every change is checked against {@link AliasPolicy}, written with its audit row and announced
 * (AliasChanged, carrying the adapter's whole alias table) in one transaction that holds the adapter's row lock.
 */
@ApplicationScoped
public class AliasService {

    /** What a change did: {@code changed} false when the alias already pointed there (nothing written or published). */
    public record Change(boolean changed, Integer fromVersion, Integer toVersion, boolean overridden) {
    }

    private final Transactions transactions;
    private final AdapterRepository adapters;
    private final RegistryEventOutbox events;

    AliasService(Transactions transactions, AdapterRepository adapters, RegistryEventOutbox events) {
        this.transactions = transactions;
        this.adapters = adapters;
        this.events = events;
    }

    /** A person points an alias at a version (PUT .../aliases/{alias}). */
    public Change move(Caller caller, String team, String name, String alias, int version, String overrideReason)
            throws SQLException {
        if (!Names.isAlias(alias)) {
            throw ApiException.badRequest("INVALID_ALIAS", "'" + alias + "' is not a valid alias: lower-case "
                    + "letters, digits and ._- starting with a letter (not v<number>), e.g. staging, production, canary");
        }
        return transactions.inTransaction(tx -> {
            lockVisible(tx, caller, team, name);
            VersionRecord target = adapters.findVersion(tx, team, name, version).orElseThrow(() ->
                    ApiException.notFound("No version " + Names.ref(team, name, version)));
            Verdict verdict = verdict(target.summary().verdict());
            AliasPolicy.Decision decision = AliasPolicy.move(caller.canSee(team), caller.canMaintain(team), alias,
                    version, verdict, overrideReason);
            if (!decision.allowed()) {
                throw new ApiException(decision.status(), decision.code(), decision.message());
            }
            if (target.summary().artifactProblem() != null) {
                throw ApiException.conflict("ARTIFACT_UNAVAILABLE", Names.ref(team, name, version) + " has no "
                        + "usable artifact (" + target.summary().artifactProblem() + "); an alias would point at "
                        + "nothing loadable");
            }
            String reason = overrideReason == null || overrideReason.isBlank() ? null : overrideReason.strip();
            return apply(tx, EventMetadata.newEvent("PutAlias"), team, name, alias, version, verdict, caller.actor(),
                    decision.overridden(), decision.overridden() ? reason : null,
                    decision.overridden() ? null : reason);
        });
    }

    /** A person removes an alias (DELETE .../aliases/{alias}). */
    public Change remove(Caller caller, String team, String name, String alias) throws SQLException {
        return transactions.inTransaction(tx -> {
            lockVisible(tx, caller, team, name);
            AliasPolicy.Decision decision = AliasPolicy.remove(caller.canSee(team), caller.canMaintain(team), alias);
            if (!decision.allowed()) {
                throw new ApiException(decision.status(), decision.code(), decision.message());
            }
            Optional<Integer> from = adapters.aliasVersion(tx, team, name, alias);
            if (from.isEmpty()) {
                throw ApiException.notFound(team + "/" + name + " has no alias '" + alias + "'");
            }
            adapters.removeAlias(tx, team, name, alias);
            adapters.audit(tx, new AuditEntry(0, team, name, AuditEntry.ALIAS_REMOVED, alias, from.get(), null, false,
                    null, null, null, null, caller.actor(), null));
            events.aliasChanged(tx, EventMetadata.newEvent("DeleteAlias"), AliasChanged.newBuilder().setTeam(team)
                    .setAdapterName(name).setAlias(alias).setFromVersion(from.get()).setActor(caller.actor())
                    .addAllAliases(table(tx, team, name)).build());
            return new Change(true, from.get(), null, false);
        });
    }

    /** A maintainer shares an adapter org-wide or makes it private again (audited). */
    public String setVisibility(Caller caller, String team, String name, String visibility) throws SQLException {
        return transactions.inTransaction(tx -> {
            AdapterRow adapter = lockVisible(tx, caller, team, name);
            if (!caller.canMaintain(team)) {
                throw ApiException.forbidden("Only a maintainer of team '" + team + "' can change who sees "
                        + team + "/" + name);
            }
            if (!adapter.visibility().equals(visibility)) {
                adapters.setVisibility(tx, team, name, visibility);
                adapters.audit(tx, new AuditEntry(0, team, name, AuditEntry.VISIBILITY_CHANGED, null, null, null, false,
                        null, null, adapter.visibility(), visibility, caller.actor(), null));
            }
            return visibility;
        });
    }

    /**
     * Points the alias at the version (the caller decided it may), audits it and appends AliasChanged, in the caller's
     * transaction, which must hold the adapter's row lock.
     */
    Change apply(Connection tx, EventMetadata cause, String team, String name, String alias, int version,
            Verdict verdict, String actor, boolean overridden, String overrideReason, String comment)
            throws SQLException {
        Optional<Integer> from = adapters.aliasVersion(tx, team, name, alias);
        if (from.isPresent() && from.get() == version) {
            return new Change(false, from.get(), version, false);
        }
        adapters.setAlias(tx, team, name, alias, version, actor);
        adapters.audit(tx, new AuditEntry(0, team, name, AuditEntry.ALIAS_SET, alias, from.orElse(null), version,
                overridden, overrideReason, comment, null, null, actor, null));
        AliasChanged.Builder changed = AliasChanged.newBuilder().setTeam(team).setAdapterName(name).setAlias(alias)
                .setToVersion(version).setActor(actor).setOverridden(overridden).setToVersionVerdict(verdict)
                .addAllAliases(table(tx, team, name));
        from.ifPresent(changed::setFromVersion);
        if (overridden && overrideReason != null) {
            changed.setOverrideReason(overrideReason);
        }
        if (comment != null) {
            changed.setComment(comment);
        }
        events.aliasChanged(tx, cause, changed.build());
        return new Change(true, from.orElse(null), version, overridden);
    }

    /** The adapter's complete alias table (what every adapter event carries). */
    List<AliasTarget> table(Connection tx, String team, String name) throws SQLException {
        return adapters.aliases(tx, team, name).stream().map(AliasService::target).toList();
    }

    static AliasTarget target(AliasRow row) {
        return AliasTarget.newBuilder().setAlias(row.alias()).setVersion(row.version()).setVerdict(verdict(row.verdict()))
                .setArtifact(row.artifact()).setBaseModelName(row.baseModelName())
                .setBaseModelSha256(row.baseModelSha256()).build();
    }

    /** Locks the adapter; another team's private adapter is answered exactly like a missing one. */
    private AdapterRow lockVisible(Connection tx, Caller caller, String team, String name) throws SQLException {
        Optional<AdapterRow> adapter = caller.canSee(team) || orgVisible(tx, team, name)
                ? adapters.lock(tx, team, name) : Optional.empty();
        return adapter.filter(row -> row.latestVersion() > 0)
                .orElseThrow(() -> ApiException.notFound("No adapter " + team + "/" + name));
    }

    private boolean orgVisible(Connection tx, String team, String name) throws SQLException {
        return adapters.find(tx, team, name).map(AdapterRow::orgVisible).orElse(false);
    }

    static Verdict verdict(String stored) {
        return "PASSED".equals(stored) ? Verdict.VERDICT_PASSED : Verdict.VERDICT_FAILED;
    }

    static String stored(Verdict verdict) {
        return verdict == Verdict.VERDICT_PASSED ? "PASSED" : "FAILED";
    }
}
