package org.lorafoundry.evaluator.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.proto.v1.AliasTarget;

/** The replica of the registry's alias tables ({@code alias_targets}): which version of an adapter holds which alias. */
@ApplicationScoped
public class AliasTargetRepository {

    /** Replaces the whole alias table of {@code team/adapterName} (registry events carry it complete). */
    public void replace(Connection tx, String team, String adapterName, List<AliasTarget> aliases, String eventId)
            throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement(
                "delete from alias_targets where team = ? and adapter_name = ?")) {
            delete.setString(1, team);
            delete.setString(2, adapterName);
            delete.executeUpdate();
        }
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into alias_targets (team, adapter_name, alias, version, target, source_event_id)
                values (?, ?, ?, ?, ?, ?)
                on conflict (team, adapter_name, alias) do update
                   set version = excluded.version, target = excluded.target, source_event_id = excluded.source_event_id,
                       updated_at = now()""")) {
            for (AliasTarget target : aliases) {
                insert.setString(1, team);
                insert.setString(2, adapterName);
                insert.setString(3, target.getAlias());
                insert.setInt(4, target.getVersion());
                insert.setBytes(5, target.toByteArray());
                insert.setString(6, eventId);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    public Optional<AliasTarget> find(Connection tx, String team, String adapterName, String alias) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select target from alias_targets where team = ? and adapter_name = ? and alias = ?")) {
            select.setString(1, team);
            select.setString(2, adapterName);
            select.setString(3, alias);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(AliasTarget.parseFrom(row.getBytes("target"))) : Optional.empty();
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("alias " + team + "/" + adapterName + "@" + alias + " is unreadable", e);
        }
    }
}
