package org.lorafoundry.jobs.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.EvaluationCompleted;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The {@code job_results} table: verdicts and registered adapter versions of jobs (upserts; replays are harmless). */
@ApplicationScoped
public class JobResultRepository {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() {
    };

    public void evaluated(Connection tx, EvaluationCompleted completed) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into job_results (job_id, verdict, summary, candidate_metrics, baseline_metrics, baseline)
                values (?, ?, ?, ?::jsonb, ?::jsonb, ?)
                on conflict (job_id) do update set verdict = excluded.verdict, summary = excluded.summary,
                    candidate_metrics = excluded.candidate_metrics, baseline_metrics = excluded.baseline_metrics,
                    baseline = excluded.baseline, updated_at = now()""")) {
            upsert.setString(1, completed.getJobId());
            upsert.setString(2, completed.getVerdict().name().replace("VERDICT_", ""));
            upsert.setString(3, completed.getSummary());
            upsert.setString(4, json(completed.getCandidateMetricsMap()));
            upsert.setString(5, json(completed.getBaselineMetricsMap()));
            upsert.setString(6, completed.hasBaseline() ? completed.getBaseline().getDescription() : null);
            upsert.executeUpdate();
        }
    }

    /** Records the adapter version of a job that exists here (a registration of another platform's job is skipped). */
    public void adapterRegistered(Connection tx, AdapterVersionRegistered registered) throws SQLException {
        try (PreparedStatement upsert = tx.prepareStatement("""
                insert into job_results (job_id, adapter_team, adapter_name, adapter_version)
                select job_id, ?, ?, ? from jobs where job_id = ?
                on conflict (job_id) do update set adapter_team = excluded.adapter_team,
                    adapter_name = excluded.adapter_name, adapter_version = excluded.adapter_version, updated_at = now()""")) {
            upsert.setString(1, registered.getTeam());
            upsert.setString(2, registered.getAdapterName());
            upsert.setInt(3, registered.getVersion());
            upsert.setString(4, registered.getJobId());
            upsert.executeUpdate();
        }
    }

    public Optional<JobResult> find(Connection tx, String jobId) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("select * from job_results where job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                int version = row.getInt("adapter_version");
                Integer adapterVersion = row.wasNull() ? null : version;
                String adapter = row.getString("adapter_name") == null ? null
                        : row.getString("adapter_team") + "/" + row.getString("adapter_name");
                return Optional.of(new JobResult(row.getString("verdict"), row.getString("summary"),
                        metrics(row.getString("candidate_metrics")), metrics(row.getString("baseline_metrics")),
                        row.getString("baseline"), adapter, adapterVersion));
            }
        }
    }

    private static String json(Map<String, Double> metrics) throws SQLException {
        try {
            return JSON.writeValueAsString(new java.util.TreeMap<>(metrics));
        } catch (JsonProcessingException e) {
            throw new SQLException("metrics not serialisable", e);
        }
    }

    private static Map<String, Double> metrics(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readValue(json, METRICS);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable metrics in job_results", e);
        }
    }
}
