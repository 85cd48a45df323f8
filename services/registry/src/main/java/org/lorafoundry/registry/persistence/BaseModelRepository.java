package org.lorafoundry.registry.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.proto.v1.BaseModelRegistered;

/** The {@code base_models} and {@code base_model_audit} tables. Every method runs in the caller's transaction. */
@ApplicationScoped
public class BaseModelRepository {

    private static final String COLUMNS = "registered, created_at, updated_at";

    /** The base model's row, locked until the transaction ends (empty when there is none). */
    public Optional<BaseModelRecord> lock(Connection tx, String name) throws SQLException {
        return one(tx, "select " + COLUMNS + " from base_models where name = ? for update", name);
    }

    public Optional<BaseModelRecord> find(Connection tx, String name) throws SQLException {
        return one(tx, "select " + COLUMNS + " from base_models where name = ?", name);
    }

    public List<BaseModelRecord> all(Connection tx) throws SQLException {
        List<BaseModelRecord> models = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("select " + COLUMNS + " from base_models order by name");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                models.add(record(row));
            }
        }
        return models;
    }

    /** @return false when a concurrent registration inserted the name first */
    public boolean insert(Connection tx, BaseModelRegistered model, String modelType) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into base_models (name, architecture, model_type, location_uri, sha256, parameter_count,
                                         description, registered, registered_by)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (name) do nothing""")) {
            bind(insert, model, modelType);
            return insert.executeUpdate() == 1;
        }
    }

    public void replace(Connection tx, BaseModelRegistered model, String modelType) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement("""
                update base_models set architecture = ?, model_type = ?, location_uri = ?, sha256 = ?,
                       parameter_count = ?, description = ?, registered = ?, registered_by = ?, updated_at = now()
                where name = ?""")) {
            update.setString(1, model.getArchitecture());
            update.setString(2, modelType);
            update.setString(3, model.getLocationUri());
            update.setString(4, model.getSha256());
            update.setLong(5, model.getParameterCount());
            update.setString(6, model.getDescription());
            update.setBytes(7, model.toByteArray());
            update.setString(8, model.getRegisteredBy());
            update.setString(9, model.getName());
            update.executeUpdate();
        }
    }

    public void audit(Connection tx, BaseModelAudit entry) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into base_model_audit (name, action, from_sha256, to_sha256, from_location, to_location, actor)
                values (?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, entry.name());
            insert.setString(2, entry.action());
            insert.setString(3, entry.fromSha256());
            insert.setString(4, entry.toSha256());
            insert.setString(5, entry.fromLocation());
            insert.setString(6, entry.toLocation());
            insert.setString(7, entry.actor());
            insert.executeUpdate();
        }
    }

    /** Oldest first. */
    public List<BaseModelAudit> history(Connection tx, String name) throws SQLException {
        List<BaseModelAudit> entries = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement("""
                select id, name, action, from_sha256, to_sha256, from_location, to_location, actor, at
                from base_model_audit where name = ? order by id""")) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    entries.add(new BaseModelAudit(row.getLong("id"), row.getString("name"), row.getString("action"),
                            row.getString("from_sha256"), row.getString("to_sha256"), row.getString("from_location"),
                            row.getString("to_location"), row.getString("actor"), AdapterRepository.instant(row, "at")));
                }
            }
        }
        return entries;
    }

    private static void bind(PreparedStatement insert, BaseModelRegistered model, String modelType) throws SQLException {
        insert.setString(1, model.getName());
        insert.setString(2, model.getArchitecture());
        insert.setString(3, modelType);
        insert.setString(4, model.getLocationUri());
        insert.setString(5, model.getSha256());
        insert.setLong(6, model.getParameterCount());
        insert.setString(7, model.getDescription());
        insert.setBytes(8, model.toByteArray());
        insert.setString(9, model.getRegisteredBy());
    }

    private Optional<BaseModelRecord> one(Connection tx, String sql, String name) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(sql)) {
            select.setString(1, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(record(row)) : Optional.empty();
            }
        }
    }

    private static BaseModelRecord record(ResultSet row) throws SQLException {
        try {
            return new BaseModelRecord(BaseModelRegistered.parseFrom(row.getBytes("registered")),
                    AdapterRepository.instant(row, "created_at"), AdapterRepository.instant(row, "updated_at"));
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("Stored BaseModelRegistered is unreadable", e);
        }
    }
}
