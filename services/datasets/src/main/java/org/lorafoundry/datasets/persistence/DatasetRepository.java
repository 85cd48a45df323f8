package org.lorafoundry.datasets.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.proto.v1.DatasetIngested;

/** The {@code datasets}, {@code dataset_versions} and {@code ingests} tables. Every method runs in the caller's transaction. */
@ApplicationScoped
public class DatasetRepository {

    private static final String VERSION_COLUMNS =
            "v.dataset_id, v.team, v.name, v.version, v.content_sha256, v.ingested, v.ingest_id, v.created_by, v.created_at";

    /** Whether a consumer applied an event already (a cheap look before slow work; the claim still decides). */
    public boolean isProcessed(Connection tx, String consumer, String eventId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select 1 from processed_events where consumer = ? and event_id = ?")) {
            select.setString(1, consumer);
            select.setString(2, eventId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * Creates the dataset's row if needed and locks it until the transaction ends, so that versions are numbered (and
     * their events appended) one at a time per dataset.
     *
     * @return the latest version number (0 for a new dataset)
     */
    public int lockDataset(Connection tx, String team, String name) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement(
                "insert into datasets (team, name) values (?, ?) on conflict (team, name) do nothing")) {
            insert.setString(1, team);
            insert.setString(2, name);
            insert.executeUpdate();
        }
        try (PreparedStatement select = tx.prepareStatement(
                "select latest_version from datasets where team = ? and name = ? for update")) {
            select.setString(1, team);
            select.setString(2, name);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    public void insertVersion(Connection tx, VersionRecord version) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into dataset_versions (dataset_id, team, name, version, content_sha256, format, row_count,
                                              ingested, ingest_id, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, version.datasetId());
            insert.setString(2, version.team());
            insert.setString(3, version.name());
            insert.setInt(4, version.version());
            insert.setString(5, version.contentSha256());
            insert.setString(6, version.ingested().getFormat().name());
            insert.setLong(7, version.ingested().getStatistics().getRows());
            insert.setBytes(8, version.ingested().toByteArray());
            insert.setString(9, version.ingestId());
            insert.setString(10, version.createdBy());
            insert.executeUpdate();
        }
        try (PreparedStatement update = tx.prepareStatement(
                "update datasets set latest_version = ?, updated_at = now() where team = ? and name = ?")) {
            update.setInt(1, version.version());
            update.setString(2, version.team());
            update.setString(3, version.name());
            update.executeUpdate();
        }
    }

    public void insertIngest(Connection tx, IngestRecord ingest) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into ingests (ingest_id, team, name, dataset_id, outcome, version_dataset_id, source_uri, actor,
                                     command_event_id, message, report)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb))""")) {
            insert.setString(1, ingest.ingestId());
            insert.setString(2, ingest.team());
            insert.setString(3, ingest.name());
            insert.setString(4, ingest.datasetId());
            insert.setString(5, ingest.outcome());
            insert.setString(6, ingest.versionDatasetId());
            insert.setString(7, ingest.sourceUri());
            insert.setString(8, ingest.actor());
            if (ingest.commandEventId() == null) {
                insert.setNull(9, Types.VARCHAR);
            } else {
                insert.setString(9, ingest.commandEventId());
            }
            insert.setString(10, ingest.message());
            insert.setString(11, ingest.reportJson());
            insert.executeUpdate();
        }
    }

    public Optional<VersionRecord> findByContent(Connection tx, String team, String name, String contentSha256)
            throws SQLException {
        return one(tx, "select " + VERSION_COLUMNS + " from dataset_versions v where v.team = ? and v.name = ? "
                + "and v.content_sha256 = ?", team, name, contentSha256);
    }

    public Optional<VersionRecord> findByDatasetId(Connection tx, String datasetId) throws SQLException {
        return one(tx, "select " + VERSION_COLUMNS + " from dataset_versions v where v.dataset_id = ?", datasetId);
    }

    public Optional<VersionRecord> findVersion(Connection tx, String team, String name, int version) throws SQLException {
        return one(tx, "select " + VERSION_COLUMNS + " from dataset_versions v where v.team = ? and v.name = ? "
                + "and v.version = ?", team, name, version);
    }

    public Optional<VersionRecord> findLatest(Connection tx, String team, String name) throws SQLException {
        return one(tx, "select " + VERSION_COLUMNS + " from dataset_versions v join datasets d "
                + "on d.team = v.team and d.name = v.name and d.latest_version = v.version "
                + "where v.team = ? and v.name = ?", team, name);
    }

    /** The datasets of some teams, by team then name. */
    public Page<DatasetSummary> listDatasets(Connection tx, Collection<String> teams, int page, int size)
            throws SQLException {
        Array teamArray = tx.createArrayOf("text", teams.toArray());
        long total;
        try (PreparedStatement count = tx.prepareStatement(
                "select count(*) from datasets where team = any(?) and latest_version > 0")) {
            count.setArray(1, teamArray);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                total = row.getLong(1);
            }
        }
        List<DatasetSummary> items = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("select d.latest_version, d.created_at as d_created, "
                + "d.updated_at as d_updated, " + VERSION_COLUMNS + " from datasets d join dataset_versions v "
                + "on v.team = d.team and v.name = d.name and v.version = d.latest_version "
                + "where d.team = any(?) order by d.team, d.name limit ? offset ?")) {
            select.setArray(1, teamArray);
            select.setInt(2, size);
            select.setLong(3, (long) page * size);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    VersionRecord latest = version(row);
                    items.add(new DatasetSummary(latest.team(), latest.name(), row.getInt("latest_version"),
                            row.getTimestamp("d_created").toInstant(), row.getTimestamp("d_updated").toInstant(), latest));
                }
            }
        }
        return new Page<>(items, page, size, total);
    }

    /** The versions of one dataset, newest first. */
    public Page<VersionRecord> listVersions(Connection tx, String team, String name, int page, int size)
            throws SQLException {
        long total;
        try (PreparedStatement count = tx.prepareStatement(
                "select count(*) from dataset_versions where team = ? and name = ?")) {
            count.setString(1, team);
            count.setString(2, name);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                total = row.getLong(1);
            }
        }
        List<VersionRecord> items = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("select " + VERSION_COLUMNS + " from dataset_versions v "
                + "where v.team = ? and v.name = ? order by v.version desc limit ? offset ?")) {
            select.setString(1, team);
            select.setString(2, name);
            select.setInt(3, size);
            select.setLong(4, (long) page * size);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    items.add(version(row));
                }
            }
        }
        return new Page<>(items, page, size, total);
    }

    /** An ingest by its id, or the latest ingest of a dataset id. */
    public Optional<IngestRecord> findIngest(Connection tx, String ingestOrDatasetId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("""
                select ingest_id, team, name, dataset_id, outcome, version_dataset_id, source_uri, actor,
                       command_event_id, message, report::text as report, created_at
                from ingests where ingest_id = ? or dataset_id = ?
                order by (ingest_id = ?) desc, created_at desc limit 1""")) {
            select.setString(1, ingestOrDatasetId);
            select.setString(2, ingestOrDatasetId);
            select.setString(3, ingestOrDatasetId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new IngestRecord(row.getString("ingest_id"), row.getString("team"),
                        row.getString("name"), row.getString("dataset_id"), row.getString("outcome"),
                        row.getString("version_dataset_id"), row.getString("source_uri"), row.getString("actor"),
                        row.getString("command_event_id"), row.getString("message"), row.getString("report"),
                        row.getTimestamp("created_at").toInstant()));
            }
        }
    }

    private Optional<VersionRecord> one(Connection tx, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(version(row)) : Optional.empty();
            }
        }
    }

    private static VersionRecord version(ResultSet row) throws SQLException {
        try {
            Timestamp created = row.getTimestamp("created_at");
            return new VersionRecord(row.getString("dataset_id"), row.getString("team"), row.getString("name"),
                    row.getInt("version"), row.getString("content_sha256"), DatasetIngested.parseFrom(row.getBytes("ingested")),
                    row.getString("ingest_id"), row.getString("created_by"), created.toInstant());
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("Stored DatasetIngested of " + row.getString("dataset_id") + " is unreadable", e);
        }
    }
}
