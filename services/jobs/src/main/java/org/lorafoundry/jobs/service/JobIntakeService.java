package org.lorafoundry.jobs.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.jobs.domain.JobLifecycle;
import org.lorafoundry.jobs.messaging.JobEventOutbox;
import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.jobs.persistence.JobTransition;
import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.CancelJob;
import org.lorafoundry.proto.v1.FieldViolation;
import org.lorafoundry.proto.v1.JobAccepted;
import org.lorafoundry.proto.v1.JobRejected;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.JobStateChanged;
import org.lorafoundry.proto.v1.RejectionCode;
import org.lorafoundry.proto.v1.SubmitTrainingJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job intake: turns team commands into stored jobs and answers every command on {@code foundry.jobs.events}. Each
 * command is handled in one transaction that records its event id, the effect and the answering events (outbox), so a
 * redelivered command changes nothing and an answer exists exactly when the effect does.
 */
@ApplicationScoped
public class JobIntakeService {

    private static final Logger LOG = LoggerFactory.getLogger(JobIntakeService.class);
    private static final ProcessedEvents COMMANDS = new ProcessedEvents("jobs.commands");

    private final Transactions transactions;
    private final JobRepository jobs;
    private final JobEventOutbox events;
    private final JobSpecValidator validator = new JobSpecValidator();
    private final JobSpecDefaults defaults = new JobSpecDefaults();
    private final Set<String> knownTeams;
    private final MeterRegistry metrics;

    JobIntakeService(Transactions transactions, JobRepository jobs, JobEventOutbox events,
            @ConfigProperty(name = "foundry.teams") List<String> knownTeams, MeterRegistry metrics) {
        this.transactions = transactions;
        this.jobs = jobs;
        this.events = events;
        this.knownTeams = Set.copyOf(knownTeams);
        this.metrics = metrics;
    }

    public IntakeOutcome submit(String team, SubmitTrainingJob command, String recordKey, EventMetadata metadata)
            throws SQLException {
        String jobId = jobIdOf(command.getSpec(), recordKey, metadata);
        JobSpec submitted = command.getSpec().toBuilder().setJobId(jobId).build();
        return count("SubmitTrainingJob", transactions.inTransaction(tx -> {
            if (!COMMANDS.claim(tx, metadata.eventId())) {
                return IntakeOutcome.ALREADY_APPLIED;
            }
            if (!knownTeams.contains(team)) {
                return reject(tx, metadata, "SubmitTrainingJob", jobId, team, RejectionCode.REJECTION_CODE_UNKNOWN_TEAM,
                        "Team '" + team + "' is not known to the platform; ask an admin to create it", List.of());
            }
            ValidationResult validation = validator.validate(submitted);
            if (!validation.valid()) {
                return reject(tx, metadata, "SubmitTrainingJob", jobId, team, validation.code(),
                        "Job spec refused: " + validation.summary(), validation.violations());
            }
            Optional<JobRecord> existing = jobs.findForUpdate(tx, jobId);
            if (existing.isPresent()) {
                return resubmission(tx, metadata, team, submitted, existing.get());
            }
            JobRecord job = new JobRecord(jobId, team, JobState.JOB_STATE_SUBMITTED, submitted, defaults.apply(submitted),
                    metadata.eventId(), 0, Instant.now());
            jobs.insert(tx, job);
            String actor = "team:" + team;
            move(tx, metadata, job, null, JobState.JOB_STATE_SUBMITTED, "SubmitTrainingJob", actor);
            move(tx, metadata, job, JobState.JOB_STATE_SUBMITTED, JobState.JOB_STATE_VALIDATING, "SubmitTrainingJob", actor);
            events.accepted(tx, metadata, accepted(job, metadata, false));
            move(tx, metadata, job, JobState.JOB_STATE_VALIDATING, JobState.JOB_STATE_QUEUED, "validated", "service:jobs");
            LOG.info("Accepted job {} of team {}", jobId, team);
            return IntakeOutcome.ACCEPTED;
        }));
    }

    public IntakeOutcome cancel(String team, CancelJob command, EventMetadata metadata) throws SQLException {
        return count("CancelJob", transactions.inTransaction(tx -> {
            if (!COMMANDS.claim(tx, metadata.eventId())) {
                return IntakeOutcome.ALREADY_APPLIED;
            }
            Optional<JobRecord> found = jobs.findForUpdate(tx, command.getJobId()).filter(job -> job.team().equals(team));
            if (found.isEmpty()) {
                // Another team's job is reported exactly like a missing one: its existence is not revealed.
                return reject(tx, metadata, "CancelJob", command.getJobId(), team, RejectionCode.REJECTION_CODE_UNKNOWN_JOB,
                        "No job '" + command.getJobId() + "' in team " + team, List.of());
            }
            JobRecord job = found.get();
            if (JobLifecycle.isFinal(job.state())) {
                return reject(tx, metadata, "CancelJob", job.jobId(), team, RejectionCode.REJECTION_CODE_JOB_ALREADY_FINAL,
                        "Job " + job.jobId() + " already ended as " + job.state(), List.of());
            }
            // Only queued jobs exist until scheduling lands; a held job goes through CANCEL_REQUESTED then.
            move(tx, metadata, job, job.state(), JobState.JOB_STATE_CANCELLED, "CancelJob", "team:" + team);
            return IntakeOutcome.CANCELLED;
        }));
    }

    /** Answers a command that could not be decoded, so its sender learns why (the record itself goes to the DLQ). */
    public IntakeOutcome malformed(String team, String recordKey, EventMetadata metadata, String reason)
            throws SQLException {
        return count("malformed", transactions.inTransaction(tx -> {
            if (!COMMANDS.claim(tx, metadata.eventId())) {
                return IntakeOutcome.ALREADY_APPLIED;
            }
            return reject(tx, metadata, metadata.eventType(), recordKey == null ? "" : recordKey, team,
                    RejectionCode.REJECTION_CODE_MALFORMED_COMMAND, reason, List.of());
        }));
    }

    private IntakeOutcome resubmission(Connection tx, EventMetadata metadata, String team, JobSpec submitted,
            JobRecord existing) throws SQLException {
        if (existing.team().equals(team) && existing.submittedSpec().equals(submitted)) {
            events.accepted(tx, metadata, accepted(existing, metadata, true));
            return IntakeOutcome.DUPLICATE_JOB;
        }
        return reject(tx, metadata, "SubmitTrainingJob", submitted.getJobId(), team,
                RejectionCode.REJECTION_CODE_DUPLICATE_JOB_ID_CONFLICT,
                "Job id '" + submitted.getJobId() + "' is already taken by a different job; choose another id "
                        + "(or resubmit the identical spec to get the existing job)", List.of());
    }

    private void move(Connection tx, EventMetadata cause, JobRecord job, JobState from, JobState to, String causeName,
            String actor) throws SQLException {
        if (from != null) {
            JobLifecycle.requireMove(job.jobId(), from, to);
        }
        long sequence = jobs.recordTransition(tx,
                new JobTransition(job.jobId(), from, to, causeName, actor, cause.eventId()));
        JobStateChanged.Builder changed = JobStateChanged.newBuilder().setJobId(job.jobId()).setTeam(job.team())
                .setToState(to).setCause(causeName).setActor(actor).setCauseEventId(cause.eventId())
                .setAttempt(job.attempt()).setSequence(sequence);
        if (from != null) {
            changed.setFromState(from);
        }
        events.stateChanged(tx, cause, changed.build());
    }

    private IntakeOutcome reject(Connection tx, EventMetadata metadata, String commandType, String jobId, String team,
            RejectionCode code, String message, List<FieldViolation> violations) throws SQLException {
        events.rejected(tx, metadata, JobRejected.newBuilder().setJobId(jobId).setTeam(team).setCode(code)
                .setMessage(message).addAllViolations(violations).setCommandEventId(metadata.eventId())
                .setCommandType(commandType).build());
        LOG.info("Rejected {} {} of team {}: {} {}", commandType, jobId, team, code, message);
        return IntakeOutcome.REJECTED;
    }

    private static JobAccepted accepted(JobRecord job, EventMetadata metadata, boolean duplicate) {
        return JobAccepted.newBuilder().setJobId(job.jobId()).setTeam(job.team()).setSpec(job.spec())
                .setCommandEventId(metadata.eventId()).setDuplicate(duplicate)
                .setSubmittedAt(com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(job.submittedAt().getEpochSecond()).setNanos(job.submittedAt().getNano()))
                .build();
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
        return "job-" + HexFormat.of().formatHex(sha256(metadata.eventId()), 0, 8);
    }

    private static byte[] sha256(String text) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private IntakeOutcome count(String command, IntakeOutcome outcome) {
        metrics.counter("foundry.jobs.commands", "command", command, "outcome", outcome.name().toLowerCase()).increment();
        return outcome;
    }
}
