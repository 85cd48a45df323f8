package org.lorafoundry.evaluator.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import org.lorafoundry.evaluator.domain.BaselinePlan;
import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.domain.EvaluationState;
import org.lorafoundry.evaluator.domain.PolicyChoice;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.Baseline;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.Verdict;

/**
 * The {@code evaluations} table: a durable queue of evaluations with leases. Every state change is a conditional
 * update checked against {@link EvaluationState}, and only the holder of a run's token may finish it, so a run that
 * lost its lease (the instance stalled, another took over) can never publish a second outcome.
 */
@ApplicationScoped
public class EvaluationRepository {

    private static final String COLUMNS = """
            id, job_id, attempt_id, team, adapter_name, state, training, cause_event_id, cause_traceparent, runs,
            gate_policy, policy_source, baseline, baseline_artifact""";

    private final Transactions transactions;

    EvaluationRepository(Transactions transactions) {
        this.transactions = transactions;
    }

    /** Records a trained adapter to evaluate (PENDING). @return false when this job's attempt is recorded already */
    public boolean enqueue(Connection tx, EventMetadata cause, String attemptId, TrainingSucceeded training)
            throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("""
                insert into evaluations (job_id, attempt_id, team, adapter_name, training, cause_event_id, cause_traceparent)
                values (?, ?, ?, ?, ?, ?, ?)
                on conflict (job_id, attempt_id) do nothing""")) {
            insert.setString(1, training.getJobId());
            insert.setString(2, attemptId);
            insert.setString(3, teamOf(training));
            insert.setString(4, training.getTask().getSpec().getAdapterName());
            insert.setBytes(5, training.toByteArray());
            insert.setString(6, cause.eventId());
            insert.setString(7, cause.traceparent());
            return insert.executeUpdate() == 1;
        }
    }

    /**
     * Locks the oldest evaluation that needs a run: PENDING, or RUNNING with an expired lease (its instance died).
     * Rows locked by other transactions are skipped, so concurrent workers never claim the same one.
     */
    public Optional<EvaluationRecord> lockNextClaimable(Connection tx) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("select " + COLUMNS + """
                 from evaluations
                where state = 'PENDING' or (state = 'RUNNING' and lease_until < now())
                order by id
                limit 1
                for update skip locked""");
             ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(record(row)) : Optional.empty();
        }
    }

    /** Starts a run: RUNNING under a new token and lease; the first run also records the plan. */
    public void beginRun(Connection tx, EvaluationRecord evaluation, UUID token, String runner, Duration lease,
            EvaluationPlan plan) throws SQLException {
        evaluation.state().requireMoveTo(EvaluationState.RUNNING);
        BaselinePlan baseline = plan.baseline();
        try (PreparedStatement update = tx.prepareStatement("""
                update evaluations
                   set state = 'RUNNING', runs = runs + 1, run_token = ?, runner = ?,
                       lease_until = now() + ? * interval '1 millisecond',
                       gate_policy = ?, policy_source = ?, baseline = ?, baseline_artifact = ?,
                       started_at = coalesce(started_at, now()), updated_at = now()
                 where id = ? and state = ?""")) {
            update.setObject(1, token);
            update.setString(2, runner);
            update.setLong(3, lease.toMillis());
            update.setBytes(4, plan.policy().policy().toByteArray());
            update.setString(5, plan.policy().source().name());
            update.setBytes(6, baseline.baseline().toByteArray());
            update.setBytes(7, baseline.artifact().map(DirectoryRef::toByteArray).orElse(null));
            update.setLong(8, evaluation.id());
            update.setString(9, evaluation.state().name());
            requireOne(update.executeUpdate(), evaluation);
        }
    }

    /** Locks the row if {@code token} still holds its run: the caller may then finish it in this transaction. */
    public boolean holdsRun(Connection tx, long id, UUID token) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("""
                select 1 from evaluations where id = ? and state = 'RUNNING' and run_token = ? for update""")) {
            select.setLong(1, id);
            select.setObject(2, token);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /** RUNNING -> COMPLETED with the verdict (the caller holds the run, see {@link #holdsRun}). */
    public void complete(Connection tx, long id, EvaluationCompleted completed) throws SQLException {
        EvaluationState.RUNNING.requireMoveTo(EvaluationState.COMPLETED);
        try (PreparedStatement update = tx.prepareStatement("""
                update evaluations
                   set state = 'COMPLETED', verdict = ?, summary = ?, report_uri = ?, report_sha256 = ?,
                       run_token = null, lease_until = null, finished_at = now(), updated_at = now()
                 where id = ? and state = 'RUNNING'""")) {
            update.setString(1, completed.getVerdict() == Verdict.VERDICT_PASSED ? "PASSED" : "FAILED");
            update.setString(2, completed.getSummary());
            update.setString(3, completed.getReport().getUri());
            update.setString(4, completed.getReport().getSha256());
            update.setLong(5, id);
            requireOne(update.executeUpdate(), id);
        }
    }

    /** PENDING or RUNNING -> FAILED with the typed code (the caller has the row locked). */
    public void fail(Connection tx, long id, EvaluationState from, EvaluationErrorCode code, String message)
            throws SQLException {
        from.requireMoveTo(EvaluationState.FAILED);
        try (PreparedStatement update = tx.prepareStatement("""
                update evaluations
                   set state = 'FAILED', error_code = ?, summary = ?, run_token = null, lease_until = null,
                       finished_at = now(), updated_at = now()
                 where id = ? and state = ?""")) {
            update.setString(1, code.name());
            update.setString(2, message);
            update.setLong(3, id);
            update.setString(4, from.name());
            requireOne(update.executeUpdate(), id);
        }
    }

    /** Extends the leases of the runs this instance is working on. @return the tokens whose runs are still held */
    public Set<UUID> renewLeases(Collection<UUID> tokens, Duration lease) throws SQLException {
        if (tokens.isEmpty()) {
            return Set.of();
        }
        return transactions.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("""
                    update evaluations set lease_until = now() + ? * interval '1 millisecond', updated_at = now()
                     where state = 'RUNNING' and run_token = any (?)
                    returning run_token""")) {
                update.setLong(1, lease.toMillis());
                update.setArray(2, uuids(tx, tokens));
                Set<UUID> held = new HashSet<>();
                try (ResultSet rows = update.executeQuery()) {
                    while (rows.next()) {
                        held.add(rows.getObject(1, UUID.class));
                    }
                }
                return held;
            }
        });
    }

    /**
     * RUNNING -> PENDING for runs this instance gives up at shutdown, so another instance starts them at once; the
     * run does not count towards the run limit (it was not the evaluation's fault).
     */
    public int release(Collection<UUID> tokens) throws SQLException {
        if (tokens.isEmpty()) {
            return 0;
        }
        EvaluationState.RUNNING.requireMoveTo(EvaluationState.PENDING);
        return transactions.inTransaction(tx -> {
            try (PreparedStatement update = tx.prepareStatement("""
                    update evaluations
                       set state = 'PENDING', runs = greatest(runs - 1, 0), run_token = null, runner = null,
                           lease_until = null, updated_at = now()
                     where state = 'RUNNING' and run_token = any (?)""")) {
                update.setArray(1, uuids(tx, tokens));
                return update.executeUpdate();
            }
        });
    }

    static String teamOf(TrainingSucceeded training) {
        return training.getTeam().isEmpty() ? training.getTask().getTeam() : training.getTeam();
    }

    private static Array uuids(Connection tx, Collection<UUID> tokens) throws SQLException {
        return tx.createArrayOf("uuid", tokens.toArray());
    }

    private static void requireOne(int updated, Object what) {
        if (updated != 1) {
            throw new IllegalStateException("evaluation " + what + " changed under a locked update (" + updated + " rows)");
        }
    }

    private static EvaluationRecord record(ResultSet row) throws SQLException {
        long id = row.getLong("id");
        try {
            Optional<EvaluationPlan> plan = Optional.empty();
            byte[] policy = row.getBytes("gate_policy");
            if (policy != null) {
                byte[] artifact = row.getBytes("baseline_artifact");
                plan = Optional.of(new EvaluationPlan(
                        new PolicyChoice(GatePolicy.parseFrom(policy),
                                PolicyChoice.Source.valueOf(row.getString("policy_source"))),
                        new BaselinePlan(Baseline.parseFrom(row.getBytes("baseline")),
                                artifact == null ? Optional.empty() : Optional.of(DirectoryRef.parseFrom(artifact)))));
            }
            return new EvaluationRecord(id, row.getString("job_id"), row.getString("attempt_id"), row.getString("team"),
                    row.getString("adapter_name"), EvaluationState.valueOf(row.getString("state")),
                    TrainingSucceeded.parseFrom(row.getBytes("training")),
                    new EventMetadata(row.getString("cause_event_id"), "TrainingSucceeded",
                            row.getString("cause_traceparent")),
                    row.getInt("runs"), plan);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("evaluation " + id + " holds an unreadable message", e);
        }
    }
}
