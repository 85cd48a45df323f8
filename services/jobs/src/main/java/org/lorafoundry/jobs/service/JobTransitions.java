package org.lorafoundry.jobs.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

import org.lorafoundry.jobs.domain.JobLifecycle;
import org.lorafoundry.jobs.messaging.JobEventOutbox;
import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobRepository;
import org.lorafoundry.jobs.persistence.JobTransition;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.JobErrorCode;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.JobStateChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies job state transitions: checks them against {@link JobLifecycle}, stores them in the job's history and
 * announces them (JobStateChanged through the outbox), all in the caller's transaction, on a row the caller locked.
 * An illegal transition (stale or duplicate event) is ignored and counted, never applied.
 */
@ApplicationScoped
public class JobTransitions {

    private static final Logger LOG = LoggerFactory.getLogger(JobTransitions.class);

    private final JobRepository jobs;
    private final JobEventOutbox events;
    private final MeterRegistry metrics;

    JobTransitions(JobRepository jobs, JobEventOutbox events, MeterRegistry metrics) {
        this.jobs = jobs;
        this.events = events;
        this.metrics = metrics;
    }

    /** The first transition of a new job (to SUBMITTED). */
    public JobRecord created(Connection tx, EventMetadata cause, JobRecord job, String causeName, String actor)
            throws SQLException {
        apply(tx, cause, job, null, JobState.JOB_STATE_SUBMITTED, causeName, actor, null, null);
        return job.withState(JobState.JOB_STATE_SUBMITTED);
    }

    /** @return the moved job, or empty when the transition was illegal (then ignored and counted) */
    public Optional<JobRecord> move(Connection tx, EventMetadata cause, JobRecord job, JobState to, String causeName,
            String actor) throws SQLException {
        return moveOrIgnore(tx, cause, job, to, causeName, actor, null, null);
    }

    /** Moves the job to FAILED with a typed code and a message a person can act on. */
    public Optional<JobRecord> fail(Connection tx, EventMetadata cause, JobRecord job, JobErrorCode code, String message,
            String causeName, String actor) throws SQLException {
        Optional<JobRecord> moved = moveOrIgnore(tx, cause, job, JobState.JOB_STATE_FAILED, causeName, actor, code, message);
        if (moved.isPresent()) {
            jobs.failed(tx, job.jobId(), code.name(), message);
        }
        return moved;
    }

    /** Counts an event that arrived for a state it does not apply to (stale, duplicate, superseded attempt). */
    public void ignored(JobRecord job, String causeName, String why) {
        metrics.counter("foundry.jobs.events.ignored", "cause", causeName).increment();
        LOG.info("Ignored {} for job {} in {}: {}", causeName, job.jobId(), job.state(), why);
    }

    private Optional<JobRecord> moveOrIgnore(Connection tx, EventMetadata cause, JobRecord job, JobState to,
            String causeName, String actor, JobErrorCode code, String message) throws SQLException {
        if (!JobLifecycle.canMove(job.state(), to)) {
            metrics.counter("foundry.jobs.transitions.ignored", "from", job.state().name(), "to", to.name()).increment();
            LOG.info("Ignored transition of job {} from {} to {} ({})", job.jobId(), job.state(), to, causeName);
            return Optional.empty();
        }
        apply(tx, cause, job, job.state(), to, causeName, actor, code, message);
        return Optional.of(job.withState(to));
    }

    private void apply(Connection tx, EventMetadata cause, JobRecord job, JobState from, JobState to, String causeName,
            String actor, JobErrorCode code, String message) throws SQLException {
        long sequence = jobs.recordTransition(tx, new JobTransition(job.jobId(), from, to, causeName, actor,
                cause.eventId()));
        JobStateChanged.Builder changed = JobStateChanged.newBuilder().setJobId(job.jobId()).setTeam(job.team())
                .setToState(to).setCause(causeName).setActor(actor).setCauseEventId(cause.eventId())
                .setAttempt(job.attempt()).setSequence(sequence);
        if (from != null) {
            changed.setFromState(from);
        }
        if (job.attemptId() != null) {
            changed.setAttemptId(job.attemptId());
        }
        if (code != null) {
            changed.setErrorCode(code).setErrorMessage(message);
        }
        events.stateChanged(tx, cause, changed.build());
        metrics.counter("foundry.jobs.transitions", "to", to.name()).increment();
    }
}
