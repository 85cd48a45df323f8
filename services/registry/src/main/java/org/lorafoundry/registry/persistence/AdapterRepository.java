package org.lorafoundry.registry.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;

/**
 * The {@code adapters}, {@code adapter_versions}, {@code adapter_version_metrics}, {@code adapter_aliases} and
 * {@code adapter_audit} tables. Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class AdapterRepository {

    /** The columns of {@link VersionSummary}, for {@code adapter_versions v join adapters a}. */
    static final String SUMMARY_COLUMNS = "v.id, v.team, v.name, v.version, a.latest_version, a.visibility, v.job_id, "
            + "v.verdict, v.base_model_name, v.base_model_sha256, v.dataset_id, v.dataset_name, v.dataset_version, "
            + "v.description, v.tags::text as tags, v.metrics::text as metrics, v.manifest_sha256, v.artifact_size, "
            + "v.artifact_problem, v.created_by, v.created_at";

    // ------------------------------------------------------------------------------------------------ adapters

    /**
     * Creates the adapter's row if needed and locks it until the transaction ends: versions are numbered, aliases
     * moved and the adapter's events appended one transaction at a time, so its events keep their commit order.
     */
    public AdapterRow lockOrCreate(Connection tx, String team, String name) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement(
                "insert into adapters (team, name) values (?, ?) on conflict (team, name) do nothing")) {
            insert.setString(1, team);
            insert.setString(2, name);
            insert.executeUpdate();
        }
        return lock(tx, team, name).orElseThrow();
    }

    /** Locks an existing adapter's row (empty when there is none). */
    public Optional<AdapterRow> lock(Connection tx, String team, String name) throws SQLException {
        return adapter(tx, "select team, name, visibility, latest_version, created_at, updated_at from adapters "
                + "where team = ? and name = ? for update", team, name);
    }

    public Optional<AdapterRow> find(Connection tx, String team, String name) throws SQLException {
        return adapter(tx, "select team, name, visibility, latest_version, created_at, updated_at from adapters "
                + "where team = ? and name = ?", team, name);
    }

    public void setVisibility(Connection tx, String team, String name, String visibility) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(
                "update adapters set visibility = ?, updated_at = now() where team = ? and name = ?")) {
            update.setString(1, visibility);
            update.setString(2, team);
            update.setString(3, name);
            update.executeUpdate();
        }
    }

    // ------------------------------------------------------------------------------------------------ versions

    /** The version a job registered, as {@code team/name@vN}, if any. */
    public Optional<String> versionOfJob(Connection tx, String jobId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select team, name, version from adapter_versions where job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1) + "/" + row.getString(2) + "@v" + row.getInt(3))
                        : Optional.empty();
            }
        }
    }

    /**
     * Inserts versions with JDBC batches (one registration inserts one; tests insert thousands), their metrics, and
     * moves each adapter's latest version and {@code is_latest} flag. Adapters are created when missing; a caller that
     * numbers versions must have locked the adapter with {@link #lockOrCreate} first.
     */
    public void insertVersions(Connection tx, List<NewVersion> versions) throws SQLException {
        if (versions.isEmpty()) {
            return;
        }
        Map<String, String[]> adapters = new LinkedHashMap<>();
        for (NewVersion version : versions) {
            adapters.putIfAbsent(version.team() + "/" + version.name(), new String[] {version.team(), version.name()});
        }
        try (PreparedStatement insert = tx.prepareStatement(
                "insert into adapters (team, name) values (?, ?) on conflict (team, name) do nothing")) {
            for (String[] adapter : adapters.values()) {
                insert.setString(1, adapter[0]);
                insert.setString(2, adapter[1]);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into adapter_versions (team, name, version, is_latest, job_id, verdict, base_model_name,
                    base_model_sha256, dataset_id, dataset_name, dataset_version, description, tags, metrics, artifact,
                    manifest_sha256, artifact_size, artifact_problem, promotion, registered, source_event,
                    source_event_id, created_by, created_at)
                values (?, ?, ?, false, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?, ?, ?,
                    cast(? as jsonb), ?, ?, ?, ?, coalesce(?, now()))""")) {
            for (NewVersion v : versions) {
                int i = 1;
                insert.setString(i++, v.team());
                insert.setString(i++, v.name());
                insert.setInt(i++, v.version());
                insert.setString(i++, v.jobId());
                insert.setString(i++, v.verdict());
                insert.setString(i++, v.baseModelName());
                insert.setString(i++, v.baseModelSha256());
                insert.setString(i++, v.datasetId());
                insert.setString(i++, v.datasetName());
                insert.setInt(i++, v.datasetVersion());
                insert.setString(i++, v.description());
                insert.setString(i++, Json.write(v.tags()));
                insert.setString(i++, Json.write(v.metrics()));
                insert.setBytes(i++, v.artifact().toByteArray());
                insert.setString(i++, v.artifact().getManifestSha256());
                insert.setLong(i++, v.artifact().getTotalSizeBytes());
                insert.setString(i++, v.artifactProblem());
                insert.setString(i++, v.promotion() == null ? null : Json.write(v.promotion()));
                insert.setBytes(i++, v.registered().toByteArray());
                if (v.sourceEvent() == null) {
                    insert.setNull(i++, Types.BINARY);
                } else {
                    insert.setBytes(i++, v.sourceEvent());
                }
                insert.setString(i++, v.sourceEventId());
                insert.setString(i++, v.createdBy());
                insert.setObject(i++, v.createdAt() == null ? null : OffsetDateTime.ofInstant(v.createdAt(), ZoneOffset.UTC),
                        Types.TIMESTAMP_WITH_TIMEZONE);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        // Derived in the database from the rows just inserted: one statement per batch, not one per metric.
        String[] teams = new String[versions.size()];
        String[] names = new String[versions.size()];
        Integer[] numbers = new Integer[versions.size()];
        for (int i = 0; i < versions.size(); i++) {
            teams[i] = versions.get(i).team();
            names[i] = versions.get(i).name();
            numbers[i] = versions.get(i).version();
        }
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into adapter_version_metrics (version_id, metric, value)
                select v.id, m.key, (m.value #>> '{}')::double precision
                from unnest(?::text[], ?::text[], ?::int[]) as k(team, name, version)
                join adapter_versions v on v.team = k.team and v.name = k.name and v.version = k.version
                cross join lateral jsonb_each(v.metrics) as m
                where jsonb_typeof(m.value) = 'number'""")) {
            insert.setArray(1, tx.createArrayOf("text", teams));
            insert.setArray(2, tx.createArrayOf("text", names));
            insert.setArray(3, tx.createArrayOf("int4", numbers));
            insert.executeUpdate();
        }
        String[] adapterTeams = adapters.values().stream().map(adapter -> adapter[0]).toArray(String[]::new);
        String[] adapterNames = adapters.values().stream().map(adapter -> adapter[1]).toArray(String[]::new);
        try (PreparedStatement latest = tx.prepareStatement("""
                update adapters a set latest_version = m.version, updated_at = now()
                from (select v.team, v.name, max(v.version) as version
                      from unnest(?::text[], ?::text[]) as k(team, name)
                      join adapter_versions v on v.team = k.team and v.name = k.name
                      group by v.team, v.name) m
                where a.team = m.team and a.name = m.name""")) {
            latest.setArray(1, tx.createArrayOf("text", adapterTeams));
            latest.setArray(2, tx.createArrayOf("text", adapterNames));
            latest.executeUpdate();
        }
        try (PreparedStatement flags = tx.prepareStatement("""
                update adapter_versions v set is_latest = (v.version = a.latest_version)
                from unnest(?::text[], ?::text[]) as k(team, name)
                join adapters a on a.team = k.team and a.name = k.name
                where v.team = a.team and v.name = a.name and (v.is_latest or v.version = a.latest_version)""")) {
            flags.setArray(1, tx.createArrayOf("text", adapterTeams));
            flags.setArray(2, tx.createArrayOf("text", adapterNames));
            flags.executeUpdate();
        }
    }

    public Optional<VersionRecord> findVersion(Connection tx, String team, String name, int version) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("select " + SUMMARY_COLUMNS + ", v.artifact, v.registered, "
                + "v.source_event, v.promotion::text as promotion from adapter_versions v join adapters a "
                + "on a.team = v.team and a.name = v.name where v.team = ? and v.name = ? and v.version = ?")) {
            select.setString(1, team);
            select.setString(2, name);
            select.setInt(3, version);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                VersionSummary summary = summary(row).withAliases(aliasesOf(tx, team, name, version));
                try {
                    byte[] source = row.getBytes("source_event");
                    return Optional.of(new VersionRecord(summary, DirectoryRef.parseFrom(row.getBytes("artifact")),
                            AdapterVersionRegistered.parseFrom(row.getBytes("registered")),
                            source == null ? null : EvaluationCompleted.parseFrom(source),
                            Json.object(row.getString("promotion"))));
                } catch (InvalidProtocolBufferException e) {
                    throw new SQLException("Stored protobuf of " + team + "/" + name + "@v" + version + " is unreadable", e);
                }
            }
        }
    }

    /** The newest versions of an adapter first, with their aliases. */
    public List<VersionSummary> listVersions(Connection tx, String team, String name, int limit) throws SQLException {
        List<VersionSummary> versions = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("select " + SUMMARY_COLUMNS + " from adapter_versions v "
                + "join adapters a on a.team = v.team and a.name = v.name where v.team = ? and v.name = ? "
                + "order by v.version desc limit ?")) {
            select.setString(1, team);
            select.setString(2, name);
            select.setInt(3, limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    versions.add(summary(row));
                }
            }
        }
        return withAliases(tx, versions);
    }

    /** Fills each summary's aliases (one query for all). */
    public List<VersionSummary> withAliases(Connection tx, List<VersionSummary> versions) throws SQLException {
        if (versions.isEmpty()) {
            return versions;
        }
        LinkedHashSet<String> teams = new LinkedHashSet<>();
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (VersionSummary version : versions) {
            teams.add(version.team());
            names.add(version.name());
        }
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        try (PreparedStatement select = tx.prepareStatement("select team, name, version, alias from adapter_aliases "
                + "where team = any(?) and name = any(?) order by alias")) {
            select.setArray(1, tx.createArrayOf("text", teams.toArray()));
            select.setArray(2, tx.createArrayOf("text", names.toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    aliases.computeIfAbsent(row.getString(1) + "/" + row.getString(2) + "@" + row.getInt(3),
                            key -> new ArrayList<>()).add(row.getString(4));
                }
            }
        }
        List<VersionSummary> filled = new ArrayList<>(versions.size());
        for (VersionSummary version : versions) {
            filled.add(version.withAliases(aliases.getOrDefault(
                    version.team() + "/" + version.name() + "@" + version.version(), List.of())));
        }
        return filled;
    }

    public long countVersions(Connection tx, String team, String name) throws SQLException {
        try (PreparedStatement count = tx.prepareStatement(
                "select count(*) from adapter_versions where team = ? and name = ?")) {
            count.setString(1, team);
            count.setString(2, name);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ aliases

    /** Every alias of an adapter with what its version is, by alias name. */
    public List<AliasRow> aliases(Connection tx, String team, String name) throws SQLException {
        List<AliasRow> aliases = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("""
                select al.alias, al.version, v.verdict, v.artifact, v.base_model_name, v.base_model_sha256,
                       al.updated_by, al.updated_at
                from adapter_aliases al
                join adapter_versions v on v.team = al.team and v.name = al.name and v.version = al.version
                where al.team = ? and al.name = ? order by al.alias""")) {
            select.setString(1, team);
            select.setString(2, name);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    try {
                        aliases.add(new AliasRow(row.getString("alias"), row.getInt("version"), row.getString("verdict"),
                                DirectoryRef.parseFrom(row.getBytes("artifact")), row.getString("base_model_name"),
                                row.getString("base_model_sha256"), row.getString("updated_by"),
                                instant(row, "updated_at")));
                    } catch (InvalidProtocolBufferException e) {
                        throw new SQLException("Stored artifact of " + team + "/" + name + " is unreadable", e);
                    }
                }
            }
        }
        return aliases;
    }

    public Optional<Integer> aliasVersion(Connection tx, String team, String name, String alias) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select version from adapter_aliases where team = ? and name = ? and alias = ?")) {
            select.setString(1, team);
            select.setString(2, name);
            select.setString(3, alias);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getInt(1)) : Optional.empty();
            }
        }
    }

    public void setAlias(Connection tx, String team, String name, String alias, int version, String actor)
            throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into adapter_aliases (team, name, alias, version, updated_by) values (?, ?, ?, ?, ?)
                on conflict (team, name, alias)
                do update set version = excluded.version, updated_by = excluded.updated_by, updated_at = now()""")) {
            upsert.setString(1, team);
            upsert.setString(2, name);
            upsert.setString(3, alias);
            upsert.setInt(4, version);
            upsert.setString(5, actor);
            upsert.executeUpdate();
        }
    }

    public boolean removeAlias(Connection tx, String team, String name, String alias) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "delete from adapter_aliases where team = ? and name = ? and alias = ?")) {
            delete.setString(1, team);
            delete.setString(2, name);
            delete.setString(3, alias);
            return delete.executeUpdate() == 1;
        }
    }

    private List<String> aliasesOf(Connection tx, String team, String name, int version) throws SQLException {
        List<String> aliases = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("select alias from adapter_aliases "
                + "where team = ? and name = ? and version = ? order by alias")) {
            select.setString(1, team);
            select.setString(2, name);
            select.setInt(3, version);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    aliases.add(row.getString(1));
                }
            }
        }
        return aliases;
    }

    // ------------------------------------------------------------------------------------------------ audit

    public void audit(Connection tx, AuditEntry entry) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into adapter_audit (team, name, action, alias, from_version, to_version, overridden, reason,
                                           comment, from_value, to_value, actor)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, entry.team());
            insert.setString(2, entry.name());
            insert.setString(3, entry.action());
            insert.setString(4, entry.alias());
            insert.setObject(5, entry.fromVersion(), Types.INTEGER);
            insert.setObject(6, entry.toVersion(), Types.INTEGER);
            insert.setBoolean(7, entry.overridden());
            insert.setString(8, entry.reason());
            insert.setString(9, entry.comment());
            insert.setString(10, entry.fromValue());
            insert.setString(11, entry.toValue());
            insert.setString(12, entry.actor());
            insert.executeUpdate();
        }
    }

    /** The adapter's audit trail, newest first. */
    public List<AuditEntry> auditTrail(Connection tx, String team, String name, int limit) throws SQLException {
        List<AuditEntry> entries = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("""
                select id, team, name, action, alias, from_version, to_version, overridden, reason, comment,
                       from_value, to_value, actor, at
                from adapter_audit where team = ? and name = ? order by id desc limit ?""")) {
            select.setString(1, team);
            select.setString(2, name);
            select.setInt(3, limit);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    entries.add(new AuditEntry(row.getLong("id"), row.getString("team"), row.getString("name"),
                            row.getString("action"), row.getString("alias"), (Integer) row.getObject("from_version"),
                            (Integer) row.getObject("to_version"), row.getBoolean("overridden"), row.getString("reason"),
                            row.getString("comment"), row.getString("from_value"), row.getString("to_value"),
                            row.getString("actor"), instant(row, "at")));
                }
            }
        }
        return entries;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Optional<AdapterRow> adapter(Connection tx, String sql, String team, String name) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(sql)) {
            select.setString(1, team);
            select.setString(2, name);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AdapterRow(row.getString("team"), row.getString("name"),
                        row.getString("visibility"), row.getInt("latest_version"), instant(row, "created_at"),
                        instant(row, "updated_at")));
            }
        }
    }

    static VersionSummary summary(ResultSet row) throws SQLException {
        return new VersionSummary(row.getLong("id"), row.getString("team"), row.getString("name"), row.getInt("version"),
                row.getInt("latest_version"), row.getString("visibility"), row.getString("job_id"),
                row.getString("verdict"), row.getString("base_model_name"), row.getString("base_model_sha256"),
                row.getString("dataset_id"), row.getString("dataset_name"), row.getInt("dataset_version"),
                row.getString("description"), Json.strings(row.getString("tags")), Json.doubles(row.getString("metrics")),
                row.getString("manifest_sha256"), row.getLong("artifact_size"), row.getString("artifact_problem"),
                row.getString("created_by"), instant(row, "created_at"), List.of());
    }

    static Instant instant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
