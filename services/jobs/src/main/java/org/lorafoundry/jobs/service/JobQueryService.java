package org.lorafoundry.jobs.service;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.jobs.persistence.JobResult;
import org.lorafoundry.jobs.persistence.JobResultRepository;
import org.lorafoundry.jobs.persistence.JobTransitionRecord;
import org.lorafoundry.jobs.persistence.ProgressRepository;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.TrainingProgress;

/**
 * Reads of jobs for the API, always through the caller: another team's job is reported exactly like a missing one.
 */
@ApplicationScoped
public class JobQueryService {

    private final Transactions transactions;
    private final JobRepository jobs;
    private final ProgressRepository progress;
    private final JobResultRepository results;

    JobQueryService(Transactions transactions, JobRepository jobs, ProgressRepository progress,
            JobResultRepository results) {
        this.transactions = transactions;
        this.jobs = jobs;
        this.progress = progress;
        this.results = results;
    }

    public Optional<JobRecord> job(Caller caller, String jobId) throws SQLException {
        return transactions.inTransaction(tx -> jobs.find(tx, jobId)).filter(job -> caller.canSee(job.team()));
    }

    /** @param team null = every team the caller may see */
    public List<JobRecord> list(Caller caller, String team, JobState state, int offset, int limit) throws SQLException {
        Collection<String> teams;
        if (team != null) {
            teams = caller.canSee(team) ? List.of(team) : List.of();
        } else {
            teams = caller.isAdmin() ? null : caller.teams();
        }
        if (teams != null && teams.isEmpty()) {
            return List.of();
        }
        return transactions.inTransaction(tx -> jobs.list(tx, teams, state, offset, limit));
    }

    public List<JobTransitionRecord> history(String jobId) throws SQLException {
        return transactions.inTransaction(tx -> jobs.history(tx, jobId));
    }

    public Optional<TrainingProgress> progress(String jobId) throws SQLException {
        return transactions.inTransaction(tx -> progress.find(tx, jobId));
    }

    /** The verdict and registered adapter of a job, once the evaluator and the registry have reported them. */
    public Optional<JobResult> result(String jobId) throws SQLException {
        return transactions.inTransaction(tx -> results.find(tx, jobId));
    }
}
