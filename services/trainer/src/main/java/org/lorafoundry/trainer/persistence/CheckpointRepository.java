package org.lorafoundry.trainer.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.proto.v1.DirectoryRef;

import com.google.protobuf.InvalidProtocolBufferException;

/** The {@code checkpoints} table: where each job's resumable checkpoints are. */
@ApplicationScoped
public class CheckpointRepository {

    /** A stored checkpoint of a job. */
    public record Checkpoint(String jobId, long step, String attemptId, DirectoryRef directory) {
    }

    public void save(Connection tx, Checkpoint checkpoint, String workerId) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into checkpoints (job_id, step, attempt_id, worker_id, directory) values (?, ?, ?, ?, ?)
                on conflict (job_id, step) do update
                   set attempt_id = excluded.attempt_id, worker_id = excluded.worker_id,
                       directory = excluded.directory, created_at = now()
                """)) {
            insert.setString(1, checkpoint.jobId());
            insert.setLong(2, checkpoint.step());
            insert.setString(3, checkpoint.attemptId());
            insert.setString(4, workerId);
            insert.setBytes(5, checkpoint.directory().toByteArray());
            insert.executeUpdate();
        }
    }

    public Optional<Checkpoint> latest(Connection tx, String jobId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "select step, attempt_id, directory from checkpoints where job_id = ? order by step desc limit 1")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Checkpoint(jobId, row.getLong("step"), row.getString("attempt_id"),
                        DirectoryRef.parseFrom(row.getBytes("directory"))));
            }
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("checkpoints row of job " + jobId + " holds an unreadable directory", e);
        }
    }
}
