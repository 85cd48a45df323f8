package org.lorafoundry.jobs.rest;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobResult;
import org.lorafoundry.jobs.service.SchedulerService.QueuePlace;

/**
 * A job as the API shows it.
 *
 * @param queuePosition  1-based place in admission order while QUEUED
 * @param estimatedStart while QUEUED, when a worker slot is expected (absent when no worker is alive)
 * @param progress       the latest TrainingProgress of the current attempt, when there is one
 * @param result         after evaluation: verdict, summary, candidate and baseline metrics, and the registered adapter
 *                       ({@code adapter} = team/name, {@code adapterVersion}) once the registry has it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String jobId, String team, String state, int attempt, String attemptId, String workerId,
        String errorCode, String errorMessage, Instant submittedAt, Instant queuedAt, Instant dispatchedAt,
        Instant updatedAt, Integer queuePosition, Instant estimatedStart, JsonNode progress, JobResult result,
        JsonNode spec) {

    static JobView of(JobRecord job, QueuePlace place, JsonNode progress, JobResult result) {
        return new JobView(job.jobId(), job.team(), shortState(job.state().name()), job.attempt(), job.attemptId(),
                job.workerId(), job.errorCode(), job.errorMessage(), job.submittedAt(), job.queuedAt(), job.dispatchedAt(),
                job.updatedAt(), place == null ? null : place.position(), place == null ? null : place.estimatedStart(),
                progress, result, ProtoJson.tree(job.spec()));
    }

    static String shortState(String state) {
        return state == null ? null : state.replace("JOB_STATE_", "");
    }
}
