package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;

/** The {@code jobs} and {@code job_transitions} tables. Every method runs in the caller's transaction. */
@ApplicationScoped
public class JobRepository {

    /** Locks the job's row until the transaction ends, so that its transitions and events are serialised. */
    public Optional<JobRecord> findForUpdate(Connection tx, String jobId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("""
                select job_id, team, state, submitted_spec, spec, command_event_id, attempt, submitted_at
                from jobs where job_id = ? for update""")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(map(row)) : Optional.empty();
            }
        }
    }

    public void insert(Connection tx, JobRecord job) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into jobs (job_id, team, state, submitted_spec, spec, priority, command_event_id, attempt, submitted_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, job.jobId());
            insert.setString(2, job.team());
            insert.setString(3, job.state().name());
            insert.setBytes(4, job.submittedSpec().toByteArray());
            insert.setBytes(5, job.spec().toByteArray());
            insert.setString(6, job.spec().getPriority().name());
            insert.setString(7, job.commandEventId());
            insert.setInt(8, job.attempt());
            insert.setTimestamp(9, Timestamp.from(job.submittedAt()));
            insert.executeUpdate();
        }
    }

    /**
     * Stores a transition and moves the job's state.
     *
     * @return the transition's per-job sequence number (1 for the first)
     */
    public long recordTransition(Connection tx, JobTransition transition) throws SQLException {
        long sequence;
        try (PreparedStatement next = tx.prepareStatement(
                "select coalesce(max(sequence), 0) + 1 from job_transitions where job_id = ?")) {
            next.setString(1, transition.jobId());
            try (ResultSet row = next.executeQuery()) {
                row.next();
                sequence = row.getLong(1);
            }
        }
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into job_transitions (job_id, sequence, from_state, to_state, cause, actor, cause_event_id)
                values (?, ?, ?, ?, ?, ?, ?)""")) {
            insert.setString(1, transition.jobId());
            insert.setLong(2, sequence);
            insert.setString(3, transition.from() == null ? null : transition.from().name());
            insert.setString(4, transition.to().name());
            insert.setString(5, transition.cause());
            insert.setString(6, transition.actor());
            insert.setString(7, transition.causeEventId());
            insert.executeUpdate();
        }
        try (PreparedStatement update = tx.prepareStatement(
                "update jobs set state = ?, updated_at = now() where job_id = ?")) {
            update.setString(1, transition.to().name());
            update.setString(2, transition.jobId());
            update.executeUpdate();
        }
        return sequence;
    }

    private static JobRecord map(ResultSet row) throws SQLException {
        try {
            return new JobRecord(row.getString("job_id"), row.getString("team"), JobState.valueOf(row.getString("state")),
                    JobSpec.parseFrom(row.getBytes("submitted_spec")), JobSpec.parseFrom(row.getBytes("spec")),
                    row.getString("command_event_id"), row.getInt("attempt"),
                    row.getTimestamp("submitted_at").toInstant());
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("Stored spec of job " + row.getString("job_id") + " is unreadable", e);
        }
    }
}
