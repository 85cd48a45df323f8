package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.proto.v1.WorkerHeartbeat;

/** The {@code workers} table, fed by heartbeats. */
@ApplicationScoped
public class WorkerRepository {

    public void record(Connection tx, WorkerHeartbeat heartbeat, Instant seenAt) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into workers (worker_id, device, capacity, free_slots, draining, current_job_id, engine_version, last_seen)
                values (?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (worker_id) do update set device = excluded.device, capacity = excluded.capacity,
                    free_slots = excluded.free_slots, draining = excluded.draining,
                    current_job_id = excluded.current_job_id, engine_version = excluded.engine_version,
                    last_seen = greatest(workers.last_seen, excluded.last_seen)""")) {
            upsert.setString(1, heartbeat.getWorkerId());
            upsert.setString(2, heartbeat.getDevice());
            upsert.setInt(3, Math.max(heartbeat.getCapacity(), 1));
            upsert.setInt(4, heartbeat.getFreeSlots());
            upsert.setBoolean(5, heartbeat.getDraining());
            upsert.setString(6, heartbeat.getCurrentJobId().isEmpty() ? null : heartbeat.getCurrentJobId());
            upsert.setString(7, heartbeat.getEngineVersion());
            upsert.setTimestamp(8, Timestamp.from(seenAt));
            upsert.executeUpdate();
        }
    }

    /** Total slots of the workers heard from within {@code timeout} that are not draining. */
    public int liveCapacity(Connection tx, Duration timeout) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("""
                select coalesce(sum(capacity), 0) from workers
                where not draining and last_seen > now() - make_interval(secs => ?)""")) {
            select.setDouble(1, timeout.toMillis() / 1000.0);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    /** Whether the worker was heard from within {@code timeout}. */
    public boolean isAlive(Connection tx, String workerId, Duration timeout) throws SQLException {
        if (workerId == null) {
            return false;
        }
        try (PreparedStatement select = tx.prepareStatement(
                "select 1 from workers where worker_id = ? and last_seen > now() - make_interval(secs => ?)")) {
            select.setString(1, workerId);
            select.setDouble(2, timeout.toMillis() / 1000.0);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }
}
