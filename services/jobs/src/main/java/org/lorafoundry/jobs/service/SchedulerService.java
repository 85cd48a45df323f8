package org.lorafoundry.jobs.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import org.lorafoundry.jobs.config.JobsConfig;
import org.lorafoundry.jobs.domain.FairShareScheduler;
import org.lorafoundry.jobs.domain.QueuedJob;
import org.lorafoundry.jobs.domain.TeamQuota;
import org.lorafoundry.jobs.messaging.TrainingOutbox;
import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.jobs.persistence.ReplicaRepository;
import org.lorafoundry.jobs.persistence.TeamRepository;
import org.lorafoundry.jobs.persistence.WorkerRepository;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.JobErrorCode;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.TrainingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission loop: every tick, in one transaction held by one replica at a time (advisory lock), it ends overdue
 * cancellations and fills free worker slots with queued jobs in {@link FairShareScheduler} order, publishing each
 * admitted job's self-contained TrainingTask through the outbox.
 */
@ApplicationScoped
public class SchedulerService {

    private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);
    private static final long SCHEDULER_LOCK = 0x6a6f62735f736368L; // "jobs_sch"

    private final Transactions transactions;
    private final JobRepository jobs;
    private final TeamRepository teams;
    private final WorkerRepository workers;
    private final ReplicaRepository replicas;
    private final JobTransitions transitions;
    private final TrainingOutbox training;
    private final JobsConfig config;
    private final FairShareScheduler scheduler = new FairShareScheduler();
    private ScheduledExecutorService executor;

    SchedulerService(Transactions transactions, JobRepository jobs, TeamRepository teams, WorkerRepository workers,
            ReplicaRepository replicas, JobTransitions transitions, TrainingOutbox training, JobsConfig config) {
        this.transactions = transactions;
        this.jobs = jobs;
        this.teams = teams;
        this.workers = workers;
        this.replicas = replicas;
        this.transitions = transitions;
        this.training = training;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "job-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        long interval = config.schedulerInterval().toMillis();
        executor.scheduleWithFixedDelay(this::safeTick, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private void safeTick() {
        try {
            tick();
        } catch (Exception e) {
            LOG.warn("Scheduler tick failed (will retry): {}", e.toString());
        }
    }

    /** One scheduling round. @return the ids of the jobs admitted */
    public List<String> tick() throws SQLException {
        return transactions.inTransaction(tx -> {
            if (!tryLock(tx)) {
                return List.of();
            }
            EventMetadata cause = EventMetadata.newEvent("SchedulerTick");
            endOverdueCancellations(tx, cause);
            return admit(tx, cause);
        });
    }

    /** Position (1-based) and estimated start of every queued job, in admission order. */
    public Map<String, QueuePlace> queue() throws SQLException {
        return transactions.inTransaction(tx -> {
            List<QueuedJob> order = scheduler.queueOrder(jobs.queued(tx), quotas(tx), jobs.holdingSlotsByTeam(tx));
            int capacity = Math.max(workers.liveCapacity(tx, config.workerTimeout()), 0);
            int free = Math.max(capacity - total(jobs.holdingSlotsByTeam(tx)), 0);
            Map<String, QueuePlace> places = new HashMap<>();
            for (int i = 0; i < order.size(); i++) {
                places.put(order.get(i).jobId(), new QueuePlace(i + 1, estimateStart(i, free, capacity)));
            }
            return places;
        });
    }

    /**
     * Where a queued job stands.
     *
     * @param estimatedStart null when no worker is alive (it cannot be estimated)
     */
    public record QueuePlace(int position, Instant estimatedStart) {
    }

    private Instant estimateStart(int index, int free, int capacity) {
        if (capacity == 0) {
            return null;
        }
        if (index < free) {
            return Instant.now();
        }
        long rounds = (index - free) / capacity + 1;
        return Instant.now().plus(config.typicalJobDuration().multipliedBy(rounds));
    }

    private void endOverdueCancellations(Connection tx, EventMetadata cause) throws SQLException {
        for (JobRecord job : jobs.cancelRequestedBefore(tx, Instant.now().minus(config.cancelTimeout()))) {
            Optional<JobRecord> locked = jobs.findForUpdate(tx, job.jobId());
            if (locked.isPresent()) {
                transitions.move(tx, cause, locked.get(), JobState.JOB_STATE_CANCELLED, "cancel-timeout", "service:jobs");
            }
        }
    }

    private List<String> admit(Connection tx, EventMetadata cause) throws SQLException {
        Map<String, Integer> holding = jobs.holdingSlotsByTeam(tx);
        int free = workers.liveCapacity(tx, config.workerTimeout()) - total(holding);
        if (free <= 0) {
            return List.of();
        }
        List<QueuedJob> admitted = scheduler.admit(jobs.queued(tx), quotas(tx), holding, free);
        List<String> dispatched = new java.util.ArrayList<>();
        for (QueuedJob next : admitted) {
            Optional<JobRecord> job = jobs.findForUpdate(tx, next.jobId())
                    .filter(found -> found.state() == JobState.JOB_STATE_QUEUED);
            if (job.isPresent() && dispatch(tx, cause, job.get())) {
                dispatched.add(next.jobId());
            }
        }
        if (!dispatched.isEmpty()) {
            LOG.info("Dispatched {}", dispatched);
        }
        return dispatched;
    }

    private boolean dispatch(Connection tx, EventMetadata cause, JobRecord job) throws SQLException {
        JobSpec spec = job.spec();
        Optional<ResolvedBaseModel> model = replicas.baseModel(tx, spec.getBaseModel().getName())
                .filter(found -> found.getSha256().equals(spec.getBaseModel().getSha256()));
        Optional<ResolvedDataset> dataset = replicas.datasetById(tx, job.team(), spec.getDataset().getDatasetId());
        if (model.isEmpty() || dataset.isEmpty()) {
            transitions.fail(tx, cause, job, JobErrorCode.JOB_ERROR_CODE_DEPENDENCY_UNAVAILABLE,
                    (model.isEmpty() ? "Base model " + spec.getBaseModel().getName() + " (" + spec.getBaseModel().getSha256()
                            + ")" : "Dataset " + spec.getDataset().getName() + " v" + spec.getDataset().getVersion())
                            + " is no longer available; resubmit against a current one", "dispatch", "service:jobs");
            return false;
        }
        TrainingTask.Builder task = TrainingTask.newBuilder().setJobId(job.jobId()).setTeam(job.team()).setSpec(spec)
                .setBaseModel(model.get()).setDataset(dataset.get()).setPriority(spec.getPriority())
                .setDispatchedAt(ProtoTimestamps.now()).setSubmittedAt(ProtoTimestamps.of(job.submittedAt()))
                .setDispatchAttempt(job.attempt() + 1);
        optionalDataset(tx, job.team(), spec.getHyperparameters().getForgetting().getReferenceDataset().getDatasetId())
                .ifPresent(task::setForgettingReferenceDataset);
        optionalDataset(tx, job.team(), spec.getEvaluation().getEvalDataset().getDatasetId())
                .ifPresent(task::setEvaluationDataset);
        optionalDataset(tx, job.team(), spec.getEvaluation().getReferenceDataset().getDatasetId())
                .ifPresent(task::setEvaluationReferenceDataset);
        transitions.move(tx, cause, job, JobState.JOB_STATE_DISPATCHED, "admitted", "service:jobs");
        training.task(tx, cause, task.build());
        return true;
    }

    private Optional<ResolvedDataset> optionalDataset(Connection tx, String team, String datasetId) throws SQLException {
        return datasetId.isEmpty() ? Optional.empty() : replicas.datasetById(tx, team, datasetId);
    }

    private Map<String, TeamQuota> quotas(Connection tx) throws SQLException {
        Map<String, TeamQuota> quotas = new HashMap<>();
        for (TeamQuota quota : teams.all(tx)) {
            quotas.put(quota.team(), quota);
        }
        return quotas;
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static boolean tryLock(Connection tx) throws SQLException {
        try (PreparedStatement lock = tx.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, SCHEDULER_LOCK);
            try (ResultSet result = lock.executeQuery()) {
                result.next();
                return result.getBoolean(1);
            }
        }
    }
}
