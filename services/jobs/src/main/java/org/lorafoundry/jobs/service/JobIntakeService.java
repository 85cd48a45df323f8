package org.lorafoundry.jobs.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.lorafoundry.jobs.domain.JobLifecycle;
import org.lorafoundry.jobs.messaging.JobEventOutbox;
import org.lorafoundry.jobs.messaging.TrainingOutbox;
import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.CancelTraining;
import org.lorafoundry.proto.v1.FieldViolation;
import org.lorafoundry.proto.v1.JobAccepted;
import org.lorafoundry.proto.v1.JobRejected;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.RejectionCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job intake, the same for Kafka commands and REST calls: turns a team's command into a stored job (or a cancellation)
 * and answers it on {@code foundry.jobs.events}. Each command is one transaction that records its event id, the effect
 * and the answering events (outbox), so a redelivered command changes nothing and an answer exists exactly when the
 * effect does.
 */
@ApplicationScoped
public class JobIntakeService {

    private static final Logger LOG = LoggerFactory.getLogger(JobIntakeService.class);
    private static final ProcessedEvents COMMANDS = new ProcessedEvents("jobs.commands");

    private final Transactions transactions;
    private final JobRepository jobs;
    private final JobTransitions transitions;
    private final JobReferences references;
    private final JobEventOutbox events;
    private final TrainingOutbox training;
    private final JobSpecValidator validator = new JobSpecValidator();
    private final JobSpecDefaults defaults = new JobSpecDefaults();
    private final MeterRegistry metrics;

    JobIntakeService(Transactions transactions, JobRepository jobs, JobTransitions transitions, JobReferences references,
            JobEventOutbox events, TrainingOutbox training, MeterRegistry metrics) {
        this.transactions = transactions;
        this.jobs = jobs;
        this.transitions = transitions;
        this.references = references;
        this.events = events;
        this.training = training;
        this.metrics = metrics;
    }

    /**
     * @param recordKey the Kafka record key (null over REST): the job id when the spec names none
     * @param actor     who submitted: {@code team:<team>} for Kafka, {@code user:<subject>} for REST
     */
    public IntakeResult submit(String team, JobSpec spec, String recordKey, EventMetadata metadata, String actor)
            throws SQLException {
        String jobId = jobIdOf(spec, recordKey, metadata);
        JobSpec submitted = spec.toBuilder().setJobId(jobId).build();
        return count("SubmitTrainingJob", transactions.inTransaction(tx -> {
            if (!COMMANDS.claim(tx, metadata.eventId())) {
                return IntakeResult.of(IntakeOutcome.ALREADY_APPLIED, jobId);
            }
            Optional<JobRecord> existing = jobs.findForUpdate(tx, jobId);
            if (existing.isPresent()) {
                return resubmission(tx, metadata, team, submitted, existing.get());
            }
            ValidationResult validation = validator.validate(submitted);
            if (!validation.valid()) {
                return reject(tx, metadata, "SubmitTrainingJob", jobId, team, validation.code(),
                        "Job spec refused: " + validation.summary(), validation.violations());
            }
            JobReferences.Resolution resolution = references.resolve(tx, team, defaults.apply(submitted));
            if (resolution.refused()) {
                return reject(tx, metadata, "SubmitTrainingJob", jobId, team, resolution.refusal().code(),
                        "Job refused: " + resolution.refusal().summary(), resolution.refusal().violations());
            }
            JobRecord job = JobRecord.submitted(jobId, team, submitted, resolution.spec(), metadata.eventId());
            jobs.insert(tx, job);
            job = transitions.created(tx, metadata, job, "SubmitTrainingJob", actor);
            job = transitions.move(tx, metadata, job, JobState.JOB_STATE_VALIDATING, "SubmitTrainingJob", actor)
                    .orElseThrow();
            events.accepted(tx, metadata, accepted(job, metadata, false));
            transitions.move(tx, metadata, job, JobState.JOB_STATE_QUEUED, "validated", "service:jobs");
            LOG.info("Accepted job {} of team {}", jobId, team);
            return IntakeResult.of(IntakeOutcome.ACCEPTED, jobId);
        }));
    }

    /**
     * Cancels a job of the team: at once when no worker holds it; through CANCEL_REQUESTED and CancelTraining otherwise
     * (CANCELLED follows when the worker confirms, or after a timeout when it is gone).
     */
    public IntakeResult cancel(String team, String jobId, String reason, EventMetadata metadata, String actor)
            throws SQLException {
        return count("CancelJob", transactions.inTransaction(tx -> {
            if (!COMMANDS.claim(tx, metadata.eventId())) {
                return IntakeResult.of(IntakeOutcome.ALREADY_APPLIED, jobId);
            }
            Optional<JobRecord> found = jobs.findForUpdate(tx, jobId).filter(job -> job.team().equals(team));
            if (found.isEmpty()) {
                // Another team's job is reported exactly like a missing one: its existence is not revealed.
                return reject(tx, metadata, "CancelJob", jobId, team, RejectionCode.REJECTION_CODE_UNKNOWN_JOB,
                        "No job '" + jobId + "' in team " + team, List.of());
            }
            JobRecord job = found.get();
            if (JobLifecycle.isFinal(job.state())) {
                return reject(tx, metadata, "CancelJob", jobId, team, RejectionCode.REJECTION_CODE_JOB_ALREADY_FINAL,
                        "Job " + jobId + " already ended as " + job.state(), List.of());
            }
            if (job.state() == JobState.JOB_STATE_CANCEL_REQUESTED) {
                return IntakeResult.of(IntakeOutcome.CANCEL_REQUESTED, jobId);
            }
            if (JobRepository.HOLDING_A_SLOT.contains(job.state())) {
                transitions.move(tx, metadata, job, JobState.JOB_STATE_CANCEL_REQUESTED, "CancelJob", actor);
                CancelTraining.Builder cancel = CancelTraining.newBuilder().setJobId(jobId).setActor(actor)
                        .setReason(reason == null ? "" : reason);
                if (job.attemptId() != null) {
                    cancel.setAttemptId(job.attemptId());
                }
                training.cancel(tx, metadata, cancel.build());
                return IntakeResult.of(IntakeOutcome.CANCEL_REQUESTED, jobId);
            }
            transitions.move(tx, metadata, job, JobState.JOB_STATE_CANCELLED, "CancelJob", actor);
            return IntakeResult.of(IntakeOutcome.CANCELLED, jobId);
        }));
    }

    /** Answers a command that could not be decoded, so its sender learns why (the record itself goes to the DLQ). */
    public IntakeResult malformed(String team, String recordKey, EventMetadata metadata, String reason)
            throws SQLException {
        String jobId = recordKey == null ? "" : recordKey;
        return count("malformed", transactions.inTransaction(tx -> {
            if (!COMMANDS.claim(tx, metadata.eventId())) {
                return IntakeResult.of(IntakeOutcome.ALREADY_APPLIED, jobId);
            }
            return reject(tx, metadata, metadata.eventType(), jobId, team, RejectionCode.REJECTION_CODE_MALFORMED_COMMAND,
                    reason, List.of());
        }));
    }

    private IntakeResult resubmission(Connection tx, EventMetadata metadata, String team, JobSpec submitted,
            JobRecord existing) throws SQLException {
        if (existing.team().equals(team) && existing.submittedSpec().equals(submitted)) {
            events.accepted(tx, metadata, accepted(existing, metadata, true));
            return IntakeResult.of(IntakeOutcome.DUPLICATE_JOB, existing.jobId());
        }
        return reject(tx, metadata, "SubmitTrainingJob", submitted.getJobId(), team,
                RejectionCode.REJECTION_CODE_DUPLICATE_JOB_ID_CONFLICT,
                "Job id '" + submitted.getJobId() + "' is already taken by a different job; choose another id "
                        + "(or resubmit the identical spec to get the existing job)", List.of());
    }

    private IntakeResult reject(Connection tx, EventMetadata metadata, String commandType, String jobId, String team,
            RejectionCode code, String message, List<FieldViolation> violations) throws SQLException {
        JobRejected rejected = JobRejected.newBuilder().setJobId(jobId).setTeam(team).setCode(code).setMessage(message)
                .addAllViolations(violations).setCommandEventId(metadata.eventId()).setCommandType(commandType).build();
        events.rejected(tx, metadata, rejected);
        LOG.info("Rejected {} {} of team {}: {} {}", commandType, jobId, team, code, message);
        return new IntakeResult(IntakeOutcome.REJECTED, jobId, rejected);
    }

    private static JobAccepted accepted(JobRecord job, EventMetadata metadata, boolean duplicate) {
        return JobAccepted.newBuilder().setJobId(job.jobId()).setTeam(job.team()).setSpec(job.spec())
                .setCommandEventId(metadata.eventId()).setDuplicate(duplicate)
                .setSubmittedAt(ProtoTimestamps.of(job.submittedAt())).build();
    }

    /**
     * The job id: the spec's, else the record key when it is a valid id, else one derived from the command's event id
     * (stable across redeliveries, so a redelivered command never creates a second job).
     */
    static String jobIdOf(JobSpec spec, String recordKey, EventMetadata metadata) {
        if (!spec.getJobId().isEmpty()) {
            return spec.getJobId();
        }
        if (recordKey != null && JobSpecValidator.JOB_ID.matcher(recordKey).matches()) {
            return recordKey;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(metadata.eventId().getBytes(StandardCharsets.UTF_8));
            return "job-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private IntakeResult count(String command, IntakeResult result) {
        metrics.counter("foundry.jobs.commands", "command", command,
                "outcome", result.outcome().name().toLowerCase(Locale.ROOT)).increment();
        return result;
    }
}
