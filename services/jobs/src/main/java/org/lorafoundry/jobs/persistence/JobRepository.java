package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.jobs.domain.QueuedJob;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.PriorityClass;

/** The {@code jobs} and {@code job_transitions} tables. Every method runs in the caller's transaction. */
@ApplicationScoped
public class JobRepository {

    /** States in which a job holds a worker slot. */
    public static final List<JobState> HOLDING_A_SLOT = List.of(JobState.JOB_STATE_DISPATCHED, JobState.JOB_STATE_RUNNING,
            JobState.JOB_STATE_CANCEL_REQUESTED);

    /** Locks the job's row until the transaction ends, so that its transitions and events are serialised. */
    public Optional<JobRecord> findForUpdate(Connection tx, String jobId) throws SQLException {
        return one(tx, "select * from jobs where job_id = ? for update", jobId);
    }

    public Optional<JobRecord> find(Connection tx, String jobId) throws SQLException {
        return one(tx, "select * from jobs where job_id = ?", jobId);
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
     * Stores a transition and moves the job's state (stamping queued/dispatched/cancel-requested times).
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
        try (PreparedStatement update = tx.prepareStatement("""
                update jobs set state = ?, updated_at = now(),
                    queued_at = case when ? = 'JOB_STATE_QUEUED' then now() else queued_at end,
                    dispatched_at = case when ? = 'JOB_STATE_DISPATCHED' then now() else dispatched_at end,
                    cancel_requested_at = case when ? = 'JOB_STATE_CANCEL_REQUESTED' then now() else cancel_requested_at end
                where job_id = ?""")) {
            String to = transition.to().name();
            update.setString(1, to);
            update.setString(2, to);
            update.setString(3, to);
            update.setString(4, to);
            update.setString(5, transition.jobId());
            update.executeUpdate();
        }
        return sequence;
    }

    public void startAttempt(Connection tx, String jobId, int attempt) throws SQLException {
        update(tx, "update jobs set attempt = ?, attempt_id = null, worker_id = null where job_id = ?", attempt, jobId);
    }

    public void attemptStarted(Connection tx, String jobId, String attemptId, String workerId) throws SQLException {
        update(tx, "update jobs set attempt_id = ?, worker_id = ? where job_id = ?", attemptId, workerId, jobId);
    }

    public void failed(Connection tx, String jobId, String errorCode, String message) throws SQLException {
        update(tx, "update jobs set error_code = ?, error_message = ? where job_id = ?", errorCode, message, jobId);
    }

    public List<QueuedJob> queued(Connection tx) throws SQLException {
        List<QueuedJob> queued = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement(
                "select job_id, team, priority, coalesce(queued_at, submitted_at) from jobs where state = 'JOB_STATE_QUEUED'");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                queued.add(new QueuedJob(row.getString(1), row.getString(2), PriorityClass.valueOf(row.getString(3)),
                        row.getTimestamp(4).toInstant()));
            }
        }
        return queued;
    }

    /** Jobs holding a worker slot, by team. */
    public Map<String, Integer> holdingSlotsByTeam(Connection tx) throws SQLException {
        return countByTeam(tx, HOLDING_A_SLOT);
    }

    public Map<String, Integer> countByTeam(Connection tx, Collection<JobState> states) throws SQLException {
        Map<String, Integer> counts = new HashMap<>();
        try (PreparedStatement select = tx.prepareStatement(
                "select team, count(*) from jobs where state = any (?) group by team")) {
            select.setArray(1, tx.createArrayOf("text", states.stream().map(Enum::name).toArray()));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    counts.put(row.getString(1), row.getInt(2));
                }
            }
        }
        return counts;
    }

    /** Jobs in CANCEL_REQUESTED since before {@code before}. */
    public List<JobRecord> cancelRequestedBefore(Connection tx, Instant before) throws SQLException {
        return many(tx, "select * from jobs where state = 'JOB_STATE_CANCEL_REQUESTED' and cancel_requested_at < ?",
                Timestamp.from(before));
    }

    /** A page of jobs, newest first, of the given teams (null = every team) and state (null = any). */
    public List<JobRecord> list(Connection tx, Collection<String> teams, JobState state, int offset, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder("select * from jobs where true");
        List<Object> parameters = new ArrayList<>();
        if (teams != null) {
            sql.append(" and team = any (?)");
            parameters.add(tx.createArrayOf("text", teams.toArray()));
        }
        if (state != null) {
            sql.append(" and state = ?");
            parameters.add(state.name());
        }
        sql.append(" order by submitted_at desc, job_id limit ? offset ?");
        parameters.add(limit);
        parameters.add(offset);
        return many(tx, sql.toString(), parameters.toArray());
    }

    public List<JobTransitionRecord> history(Connection tx, String jobId) throws SQLException {
        List<JobTransitionRecord> history = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement(
                "select * from job_transitions where job_id = ? order by sequence")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    history.add(new JobTransitionRecord(row.getLong("sequence"), row.getString("from_state"),
                            row.getString("to_state"), row.getString("cause"), row.getString("actor"),
                            row.getString("cause_event_id"), row.getTimestamp("occurred_at").toInstant()));
                }
            }
        }
        return history;
    }

    private Optional<JobRecord> one(Connection tx, String sql, Object... parameters) throws SQLException {
        List<JobRecord> rows = many(tx, sql, parameters);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    private List<JobRecord> many(Connection tx, String sql, Object... parameters) throws SQLException {
        List<JobRecord> jobs = new ArrayList<>();
        try (PreparedStatement select = tx.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    jobs.add(map(row));
                }
            }
        }
        return jobs;
    }

    private static void update(Connection tx, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setObject(i + 1, parameters[i]);
            }
            update.executeUpdate();
        }
    }

    private static JobRecord map(ResultSet row) throws SQLException {
        try {
            return new JobRecord(row.getString("job_id"), row.getString("team"), JobState.valueOf(row.getString("state")),
                    JobSpec.parseFrom(row.getBytes("submitted_spec")), JobSpec.parseFrom(row.getBytes("spec")),
                    row.getString("command_event_id"), row.getInt("attempt"), row.getString("attempt_id"),
                    row.getString("worker_id"), row.getString("error_code"), row.getString("error_message"),
                    instant(row, "submitted_at"), instant(row, "queued_at"), instant(row, "dispatched_at"),
                    instant(row, "cancel_requested_at"), instant(row, "updated_at"));
        } catch (InvalidProtocolBufferException e) {
            throw new SQLException("Stored spec of job " + row.getString("job_id") + " is unreadable", e);
        }
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }
}
