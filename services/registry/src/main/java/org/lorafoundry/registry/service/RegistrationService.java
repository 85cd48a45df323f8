package org.lorafoundry.registry.service;

import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.AdapterLineage;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.proto.v1.Visibility;
import org.lorafoundry.registry.domain.AliasPolicy;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.messaging.RegistryEventOutbox;
import org.lorafoundry.registry.persistence.AdapterRepository;
import org.lorafoundry.registry.persistence.AdapterRow;
import org.lorafoundry.registry.persistence.NewVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers adapter versions from EvaluationCompleted. In one transaction: claim the event id, lock the adapter, number
 * the version, copy the PEFT files to the registry's location, store the version with its lineage, append
 * AdapterVersionRegistered, and, when the job asked for {@code promote_to_alias} and its verdict PASSED, move that alias
 * (audited, AliasChanged). A redelivered event, or a second evaluation of the same job, registers nothing.
 */
@ApplicationScoped
public class RegistrationService {

    public static final String CONSUMER = "registry.evaluation-events";
    private static final ProcessedEvents EVENTS = new ProcessedEvents(CONSUMER);
    private static final Logger LOG = LoggerFactory.getLogger(RegistrationService.class);

    /** What handling an event did. */
    public enum Outcome {
        REGISTERED, DUPLICATE_EVENT, DUPLICATE_JOB
    }

    /** @param ref {@code team/name@vN} of the version registered (or found, for a duplicate job); null otherwise */
    public record Result(Outcome outcome, String ref) {
    }

    private final Transactions transactions;
    private final AdapterRepository adapters;
    private final RegistryEventOutbox events;
    private final ArtifactStore artifacts;
    private final AliasService aliases;
    private final List<String> productionTeams;
    private final MeterRegistry meters;

    RegistrationService(Transactions transactions, AdapterRepository adapters, RegistryEventOutbox events,
            ArtifactStore artifacts, AliasService aliases, RegistryConfig config, MeterRegistry meters) {
        this.transactions = transactions;
        this.adapters = adapters;
        this.events = events;
        this.artifacts = artifacts;
        this.aliases = aliases;
        this.productionTeams = config.autoPromoteProductionTeams().orElse(List.of()).stream().map(String::strip)
                .filter(team -> !team.isEmpty()).toList();
        this.meters = meters;
    }

    /**
     * @throws InvalidEventException when the event cannot be registered however often it is retried (the consumer
     *                               dead-letters it)
     */
    public Result register(EventMetadata cause, EvaluationCompleted completed, java.time.Instant evaluatedAt)
            throws SQLException, InvalidEventException {
        TrainingSucceeded training = completed.getTraining();
        TrainingTask task = training.getTask();
        JobSpec spec = task.getSpec();
        String team = completed.getTeam();
        String name = !completed.getAdapterName().isEmpty() ? completed.getAdapterName() : spec.getAdapterName();
        String jobId = !completed.getJobId().isEmpty() ? completed.getJobId() : training.getJobId();
        check(completed, team, name, jobId);
        Verdict verdict = completed.getVerdict();

        Result result = transactions.inTransaction(tx -> {
            if (!EVENTS.claim(tx, cause.eventId())) {
                return new Result(Outcome.DUPLICATE_EVENT, null);
            }
            Optional<String> existing = adapters.versionOfJob(tx, jobId);
            if (existing.isPresent()) {
                return new Result(Outcome.DUPLICATE_JOB, existing.get());
            }
            AdapterRow adapter = adapters.lockOrCreate(tx, team, name);
            int version = adapter.latestVersion() + 1;
            ArtifactStore.Copy copy;
            try {
                copy = artifacts.copy(team, name, version, training.getAdapter());
            } catch (IOException e) {
                throw new SQLException("Cannot copy the adapter of job " + jobId + " into the registry (blob store "
                        + "unavailable?): " + e.getMessage(), "58030", e);
            }
            if (copy.problem() != null) {
                LOG.warn("{} registered without a usable artifact: {}", Names.ref(team, name, version), copy.problem());
            }

            String alias = spec.getPromoteToAlias().strip();
            Map<String, Object> promotion = null;
            AliasPolicy.Decision decision = null;
            if (!alias.isEmpty()) {
                decision = copy.problem() != null
                        ? new AliasPolicy.Decision(false, false, 409, "ARTIFACT_UNAVAILABLE",
                                "not promoted to '" + alias + "': the artifact is unusable (" + copy.problem() + ")")
                        : AliasPolicy.automatic(team, alias, verdict, productionTeams);
                promotion = new LinkedHashMap<>();
                promotion.put("alias", alias);
                promotion.put("outcome", decision.allowed() ? "PROMOTED" : "NOT_PROMOTED");
                if (!decision.allowed()) {
                    promotion.put("code", decision.code());
                    promotion.put("message", decision.message());
                }
            }

            AdapterVersionRegistered registered = AdapterVersionRegistered.newBuilder().setTeam(team).setAdapterName(name)
                    .setVersion(version).setJobId(jobId).setVerdict(verdict)
                    .setLineage(lineage(completed, evaluatedAt)).setArtifact(copy.artifact())
                    .setDescription(spec.getDescription()).putAllTags(spec.getLabelsMap())
                    .setVisibility(adapter.orgVisible() ? Visibility.VISIBILITY_ORG : Visibility.VISIBILITY_PRIVATE)
                    .setLatestVersion(version).build();
            adapters.insertVersions(tx, List.of(new NewVersion(team, name, version, jobId, AliasService.stored(verdict),
                    task.getBaseModel().getName().isEmpty() ? spec.getBaseModel().getName() : task.getBaseModel().getName(),
                    task.getBaseModel().getSha256().isEmpty() ? spec.getBaseModel().getSha256()
                            : task.getBaseModel().getSha256(),
                    task.getDataset().getDatasetId(), task.getDataset().getName(), task.getDataset().getVersion(),
                    spec.getDescription(), new TreeMap<>(spec.getLabelsMap()), finite(completed.getCandidateMetricsMap()),
                    copy.artifact(), copy.problem(), promotion, registered, completed.toByteArray(), cause.eventId(),
                    "job:" + jobId, null)));
            events.adapterVersionRegistered(tx, cause, registered.toBuilder()
                    .addAllAliases(aliases.table(tx, team, name)).build());
            if (decision != null && decision.allowed()) {
                aliases.apply(tx, cause, team, name, alias, version, verdict, "job:" + jobId, false, null,
                        "promote_to_alias of job " + jobId);
            }
            return new Result(Outcome.REGISTERED, Names.ref(team, name, version));
        });
        switch (result.outcome()) {
            case REGISTERED -> {
                meters.counter("foundry.registry.versions.registered", "verdict", AliasService.stored(verdict)).increment();
                LOG.info("Registered {} from job {} ({})", result.ref(), jobId, AliasPolicy.verdictName(verdict));
            }
            case DUPLICATE_JOB -> {
                meters.counter("foundry.registry.events.ignored", "reason", "duplicate_job").increment();
                LOG.info("Job {} is registered already as {}: evaluation event {} ignored", jobId, result.ref(),
                        cause.eventId());
            }
            default -> meters.counter("foundry.registry.events.ignored", "reason", "duplicate_event").increment();
        }
        return result;
    }

    /** The lineage of the version: everything the event chain carried about how it was made and judged. */
    static AdapterLineage lineage(EvaluationCompleted completed, java.time.Instant evaluatedAt) {
        TrainingSucceeded training = completed.getTraining();
        TrainingTask task = training.getTask();
        AdapterLineage.Builder lineage = AdapterLineage.newBuilder()
                .setJobId(completed.getJobId().isEmpty() ? training.getJobId() : completed.getJobId())
                .setAttemptId(training.getAttemptId().isEmpty() ? completed.getAttemptId() : training.getAttemptId())
                .setSpec(task.getSpec()).setBaseModel(task.getBaseModel()).setDataset(task.getDataset())
                .addAllLossCurve(training.getLossCurveList()).putAllFinalTrainingMetrics(training.getFinalMetricsMap())
                .setTrainableParameters(training.getTrainableParameters()).setTotalParameters(training.getTotalParameters())
                .setSteps(training.getSteps()).setWorkerId(training.getWorkerId()).setDevice(training.getDevice())
                .setEngineVersion(training.getEngineVersion())
                .putAllCandidateMetrics(completed.getCandidateMetricsMap())
                .putAllBaselineMetrics(completed.getBaselineMetricsMap()).setBaseline(completed.getBaseline())
                .addAllThresholdResults(completed.getThresholdResultsList());
        if (training.hasDuration()) {
            lineage.setTrainingDuration(training.getDuration());
        }
        if (completed.hasReport()) {
            lineage.setEvaluationReport(completed.getReport());
        }
        if (task.hasSubmittedAt()) {
            lineage.setSubmittedAt(task.getSubmittedAt());
        }
        if (evaluatedAt != null) {
            lineage.setEvaluatedAt(ProtoTimestamps.of(evaluatedAt));
        }
        return lineage.build();
    }

    /** Metrics for search: NaN and infinities are kept in the lineage but stored as null (not rangeable). */
    private static Map<String, Double> finite(Map<String, Double> metrics) {
        Map<String, Double> values = new TreeMap<>();
        metrics.forEach((name, value) -> values.put(name, value == null || value.isNaN() || value.isInfinite()
                ? null : value));
        return values;
    }

    private static void check(EvaluationCompleted completed, String team, String name, String jobId)
            throws InvalidEventException {
        if (!Names.isTeam(team)) {
            throw new InvalidEventException("EvaluationCompleted has no valid team ('" + team + "')");
        }
        if (jobId.isEmpty()) {
            throw new InvalidEventException("EvaluationCompleted has no job_id");
        }
        if (!Names.isAdapter(name)) {
            throw new InvalidEventException("EvaluationCompleted of job " + jobId + " has no valid adapter_name ('" + name
                    + "', expected " + Names.ADAPTER.pattern() + ")");
        }
        if (completed.getVerdict() != Verdict.VERDICT_PASSED && completed.getVerdict() != Verdict.VERDICT_FAILED) {
            throw new InvalidEventException("EvaluationCompleted of job " + jobId + " has no verdict");
        }
        if (!completed.hasTraining() || !completed.getTraining().hasAdapter()) {
            throw new InvalidEventException("EvaluationCompleted of job " + jobId + " carries no training outcome with "
                    + "the adapter directory");
        }
        TrainingSucceeded training = completed.getTraining();
        for (String other : List.of(training.getTeam(), training.getTask().getTeam())) {
            if (!other.isEmpty() && !other.equals(team)) {
                throw new InvalidEventException("EvaluationCompleted of job " + jobId + " names team '" + team
                        + "' but its training outcome team '" + other + "'");
            }
        }
    }
}
