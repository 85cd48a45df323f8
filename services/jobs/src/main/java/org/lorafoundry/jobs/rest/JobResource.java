package org.lorafoundry.jobs.rest;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.google.protobuf.InvalidProtocolBufferException;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;

import org.jboss.resteasy.reactive.RestStreamElementType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.lorafoundry.jobs.messaging.JobEventStream;
import org.lorafoundry.jobs.persistence.JobRecord;
import org.lorafoundry.jobs.persistence.JobTransitionRecord;
import org.lorafoundry.jobs.service.IntakeOutcome;
import org.lorafoundry.jobs.service.IntakeResult;
import org.lorafoundry.jobs.service.JobIntakeService;
import org.lorafoundry.jobs.service.JobQueryService;
import org.lorafoundry.jobs.service.SchedulerService;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.quarkus.CurrentCaller;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.proto.v1.JobState;

/**
 * The job API. Every call is attributed to the caller's token; a team's jobs are visible to its members and admins
 * only, and another team's job answers 404 exactly like a missing one.
 */
@Path("/jobs")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs")
public class JobResource {

    @Inject
    CurrentCaller currentCaller;
    @Inject
    JobIntakeService intake;
    @Inject
    JobQueryService queries;
    @Inject
    SchedulerService scheduler;
    @Inject
    JobEventStream stream;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a training job", description = "Body: a foundry.v1.JobSpec in protobuf JSON. 202 with "
            + "the job when accepted, 200 when the identical job exists, 422 with every violation when refused.")
    public Response submit(String body, @QueryParam("team") String team,
            @HeaderParam("Idempotency-Key") String idempotencyKey) throws SQLException, InvalidProtocolBufferException {
        String actingTeam = actingTeam(team);
        EventMetadata metadata = restEvent(idempotencyKey, "SubmitTrainingJob");
        IntakeResult result = intake.submit(actingTeam, ProtoJson.spec(body), null, metadata, caller().actor());
        return switch (result.outcome()) {
            case REJECTED -> Response.status(422).entity(rejection(result)).build();
            case ACCEPTED -> Response.accepted(view(load(result.jobId()))).build();
            case ALREADY_APPLIED -> queries.job(caller(), result.jobId()).map(job -> Response.ok(view(job)).build())
                    .orElseGet(() -> Response.status(409).entity(ErrorResponse.of("IDEMPOTENCY_KEY_REUSED",
                            "This Idempotency-Key was used for a submission that was refused (see foundry.jobs.events "
                                    + "for why); fix the spec and use a new key")).build());
            default -> Response.ok(view(load(result.jobId()))).build();
        };
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(summary = "Cancel a job", description = "Queued: cancelled at once. On a worker: CANCEL_REQUESTED until "
            + "the worker stops. 409 when the job already ended.")
    public Response cancel(@PathParam("id") String jobId, @QueryParam("reason") String reason,
            @HeaderParam("Idempotency-Key") String idempotencyKey) throws SQLException {
        JobRecord job = load(jobId);
        IntakeResult result = intake.cancel(job.team(), jobId, reason == null ? "cancelled through the API" : reason,
                restEvent(idempotencyKey, "CancelJob"), caller().actor());
        if (result.outcome() == IntakeOutcome.REJECTED) {
            return Response.status(409).entity(rejection(result)).build();
        }
        return Response.accepted(view(load(jobId))).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A job: state, spec, attempt, queue position and estimated start, latest progress")
    public JobView get(@PathParam("id") String jobId) throws SQLException {
        return view(load(jobId));
    }

    @GET
    @Operation(summary = "Jobs the caller may see, newest first", description = "Filters: team, state (e.g. RUNNING).")
    public Page<JobView> list(@QueryParam("team") String team, @QueryParam("state") String state,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("20") int size)
            throws SQLException {
        if (page < 0 || size < 1 || size > 200) {
            throw new IllegalArgumentException("page must be >= 0 and size 1..200");
        }
        JobState filter = state == null ? null : parseState(state);
        // One more than the page holds tells whether another page follows.
        List<JobRecord> jobs = queries.list(caller(), team, filter, page * size, size + 1);
        Map<String, SchedulerService.QueuePlace> queue = scheduler.queue();
        List<JobView> items = jobs.stream().limit(size).map(job -> JobView.of(job, queue.get(job.jobId()), null, null))
                .toList();
        return new Page<>(items, page, size, jobs.size() > size);
    }

    @GET
    @Path("/{id}/history")
    @Operation(summary = "Every state transition of the job, with time, cause and actor")
    public List<TransitionView> history(@PathParam("id") String jobId) throws SQLException {
        load(jobId);
        return queries.history(jobId).stream().map(TransitionView::of).toList();
    }

    @GET
    @Path("/{id}/progress")
    @Operation(summary = "Latest training progress: step, loss, learning rate, tokens/s, ETA")
    public Response progress(@PathParam("id") String jobId) throws SQLException {
        load(jobId);
        return queries.progress(jobId).map(progress -> Response.ok(ProtoJson.tree(progress)).build())
                .orElseThrow(() -> new NotFoundException("Job " + jobId + " has reported no progress yet"));
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Live events of the job (Server-Sent Events)", description = "First a snapshot of the job, "
            + "then every state change and progress report as they happen.")
    public Multi<StreamItem> events(@PathParam("id") String jobId) throws SQLException {
        StreamItem snapshot = new StreamItem(jobId, "snapshot", ProtoJson.MAPPER.valueToTree(view(load(jobId))));
        Multi<StreamItem> live = stream.forJob(jobId)
                .map(event -> new StreamItem(event.jobId(), event.type(), ProtoJson.tree(event.payload())));
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(snapshot), live);
    }

    /** One Server-Sent Event: what happened to the job, and its data as JSON. */
    public record StreamItem(String jobId, String type, com.fasterxml.jackson.databind.JsonNode data) {
    }

    /** One page of a listing. */
    public record Page<T>(List<T> items, int page, int size, boolean hasMore) {
    }

    /** One transition of a job's history. */
    public record TransitionView(long sequence, String from, String to, String cause, String actor,
            java.time.Instant at) {

        static TransitionView of(JobTransitionRecord row) {
            return new TransitionView(row.sequence(), JobView.shortState(row.fromState()), JobView.shortState(row.toState()),
                    row.cause(), row.actor(), row.occurredAt());
        }
    }

    JobRecord load(String jobId) throws SQLException {
        return queries.job(caller(), jobId).orElseThrow(() -> new NotFoundException("No job '" + jobId + "'"));
    }

    private JobView view(JobRecord job) {
        try {
            return viewOf(job);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private JobView viewOf(JobRecord job) throws SQLException {
        SchedulerService.QueuePlace place = job.state() == JobState.JOB_STATE_QUEUED ? scheduler.queue().get(job.jobId())
                : null;
        return JobView.of(job, place, queries.progress(job.jobId()).map(ProtoJson::tree).orElse(null),
                queries.result(job.jobId()).orElse(null));
    }

    private Caller caller() {
        return currentCaller.get();
    }

    private String actingTeam(String team) {
        Caller caller = caller();
        if (team != null) {
            if (!caller.isMemberOf(team) && !caller.isAdmin()) {
                throw new ForbiddenException("You are not a member of team " + team);
            }
            return team;
        }
        if (caller.teams().size() == 1) {
            return caller.teams().iterator().next();
        }
        throw new IllegalArgumentException("Say which team submits: ?team=<one of " + caller.teams() + ">");
    }

    private EventMetadata restEvent(String idempotencyKey, String type) {
        // An Idempotency-Key makes retries of the same call safe, like a Kafka command's foundry-event-id; it is
        // scoped to the caller, so two people choosing the same key never collide.
        String id = Optional.ofNullable(idempotencyKey).filter(key -> !key.isBlank())
                .map(key -> "rest:" + caller().subject() + ":" + key).orElse(UUID.randomUUID().toString());
        EventMetadata fresh = EventMetadata.newEvent(type);
        return new EventMetadata(id, type, fresh.traceparent());
    }

    private static ErrorResponse rejection(IntakeResult result) {
        return new ErrorResponse(result.rejection().getCode().name().replace("REJECTION_CODE_", ""),
                result.rejection().getMessage(), result.rejection().getViolationsList().stream()
                        .map(v -> new ErrorResponse.Violation(v.getField(), v.getCode(), v.getMessage())).toList());
    }

    private static JobState parseState(String state) {
        try {
            return JobState.valueOf(state.startsWith("JOB_STATE_") ? state : "JOB_STATE_" + state.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown state '" + state + "' (e.g. QUEUED, RUNNING, SUCCEEDED)");
        }
    }
}
