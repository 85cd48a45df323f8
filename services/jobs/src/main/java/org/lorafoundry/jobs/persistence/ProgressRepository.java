package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.proto.v1.TrainingProgress;

/** The latest TrainingProgress of each job's current attempt. */
@ApplicationScoped
public class ProgressRepository {

    public void record(Connection tx, TrainingProgress progress) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into job_progress (job_id, attempt_id, step, total_steps, epoch, loss, learning_rate, grad_norm,
                    tokens_per_second, eta_seconds, validation_loss)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (job_id) do update set attempt_id = excluded.attempt_id, step = excluded.step,
                    total_steps = excluded.total_steps, epoch = excluded.epoch, loss = excluded.loss,
                    learning_rate = excluded.learning_rate, grad_norm = excluded.grad_norm,
                    tokens_per_second = excluded.tokens_per_second, eta_seconds = excluded.eta_seconds,
                    validation_loss = coalesce(excluded.validation_loss, job_progress.validation_loss), updated_at = now()
                where job_progress.attempt_id <> excluded.attempt_id or job_progress.step <= excluded.step""")) {
            upsert.setString(1, progress.getJobId());
            upsert.setString(2, progress.getAttemptId());
            upsert.setLong(3, progress.getStep());
            upsert.setLong(4, progress.getTotalSteps());
            upsert.setDouble(5, progress.getEpoch());
            upsert.setDouble(6, progress.getLoss());
            upsert.setDouble(7, progress.getLearningRate());
            upsert.setDouble(8, progress.getGradNorm());
            upsert.setDouble(9, progress.getTokensPerSecond());
            upsert.setLong(10, progress.getEtaSeconds());
            upsert.setObject(11, progress.hasValidationLoss() ? progress.getValidationLoss() : null);
            upsert.executeUpdate();
        }
    }

    public Optional<TrainingProgress> find(Connection tx, String jobId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("select * from job_progress where job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                TrainingProgress.Builder progress = TrainingProgress.newBuilder().setJobId(jobId)
                        .setAttemptId(row.getString("attempt_id")).setStep(row.getLong("step"))
                        .setTotalSteps(row.getLong("total_steps")).setEpoch(row.getDouble("epoch"))
                        .setLoss(row.getDouble("loss")).setLearningRate(row.getDouble("learning_rate"))
                        .setGradNorm(row.getDouble("grad_norm")).setTokensPerSecond(row.getDouble("tokens_per_second"))
                        .setEtaSeconds(row.getLong("eta_seconds"));
                double validationLoss = row.getDouble("validation_loss");
                if (!row.wasNull()) {
                    progress.setValidationLoss(validationLoss);
                }
                return Optional.of(progress.build());
            }
        }
    }
}
