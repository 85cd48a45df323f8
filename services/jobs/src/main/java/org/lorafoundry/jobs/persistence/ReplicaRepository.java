package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;

/**
 * Local replicas of the datasets and base models other services announced (DatasetIngested, DatasetRejected,
 * BaseModelRegistered): what job validation and dispatch need, without calling those services.
 */
@ApplicationScoped
public class ReplicaRepository {

    public void datasetReady(Connection tx, String team, ResolvedDataset dataset) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into dataset_versions (dataset_id, team, name, version, resolved) values (?, ?, ?, ?, ?)
                on conflict (dataset_id) do update set resolved = excluded.resolved, updated_at = now()""")) {
            upsert.setString(1, dataset.getDatasetId());
            upsert.setString(2, team);
            upsert.setString(3, dataset.getName());
            upsert.setInt(4, dataset.getVersion());
            upsert.setBytes(5, dataset.toByteArray());
            upsert.executeUpdate();
        }
    }

    public void datasetRejected(Connection tx, String team, String name, String message) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into dataset_rejections (team, name, message) values (?, ?, ?)
                on conflict (team, name) do update set message = excluded.message, rejected_at = now()""")) {
            upsert.setString(1, team);
            upsert.setString(2, name);
            upsert.setString(3, message);
            upsert.executeUpdate();
        }
    }

    /** A READY version of the team's dataset: the given version, or the latest when {@code version} is null. */
    public Optional<ResolvedDataset> dataset(Connection tx, String team, String name, Integer version) throws SQLException {
        String sql = version == null
                ? "select resolved from dataset_versions where team = ? and name = ? order by version desc limit 1"
                : "select resolved from dataset_versions where team = ? and name = ? and version = ?";
        try (PreparedStatement select = tx.prepareStatement(sql)) {
            select.setString(1, team);
            select.setString(2, name);
            if (version != null) {
                select.setInt(3, version);
            }
            return single(select, ResolvedDataset::parseFrom);
        }
    }

    public Optional<ResolvedDataset> datasetById(Connection tx, String team, String datasetId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select resolved from dataset_versions where team = ? and dataset_id = ?")) {
            select.setString(1, team);
            select.setString(2, datasetId);
            return single(select, ResolvedDataset::parseFrom);
        }
    }

    /** Why the team's last ingest of this name was rejected, if it was. */
    public Optional<String> datasetRejection(Connection tx, String team, String name) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select message from dataset_rejections where team = ? and name = ?")) {
            select.setString(1, team);
            select.setString(2, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        }
    }

    public void baseModel(Connection tx, ResolvedBaseModel model) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into base_models (name, sha256, resolved) values (?, ?, ?)
                on conflict (name) do update set sha256 = excluded.sha256, resolved = excluded.resolved, updated_at = now()""")) {
            upsert.setString(1, model.getName());
            upsert.setString(2, model.getSha256());
            upsert.setBytes(3, model.toByteArray());
            upsert.executeUpdate();
        }
    }

    public Optional<ResolvedBaseModel> baseModel(Connection tx, String name) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("select resolved from base_models where name = ?")) {
            select.setString(1, name);
            return single(select, ResolvedBaseModel::parseFrom);
        }
    }

    private static <T> Optional<T> single(PreparedStatement select, Parser<T> parser) throws SQLException {
        try (ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            try {
                return Optional.of(parser.parse(row.getBytes(1)));
            } catch (InvalidProtocolBufferException e) {
                throw new SQLException("Unreadable replica row", e);
            }
        }
    }

    @FunctionalInterface
    private interface Parser<T> {
        T parse(byte[] bytes) throws InvalidProtocolBufferException;
    }
}
