package org.lorafoundry.cli;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Message;

import org.lorafoundry.cli.http.ServerSentEvent;
import org.lorafoundry.cli.output.Output;
import org.lorafoundry.cli.output.ProgressBar;
import org.lorafoundry.proto.v1.JobRejected;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.JobStateChanged;
import org.lorafoundry.proto.v1.TrainingProgress;

/**
 * Follows one job's event stream ({@code GET /jobs/{id}/events}: a {@code snapshot}, then {@code state},
 * {@code accepted}, {@code rejected} and {@code progress} events) and tells a person what happens: state changes as
 * lines, training progress as a bar redrawn in place on a terminal (a line per report elsewhere), or every event as
 * one JSON line with {@code --json}. It stops at the job's final state.
 */
final class JobWatch {

    /** The states a job never leaves (DESIGN.md, "Job lifecycle"). */
    static final Set<JobState> FINAL = EnumSet.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_REJECTED,
            JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED);

    private final String jobId;
    private final Output output;
    private final ObjectMapper mapper;
    private JobState finalState;

    JobWatch(String jobId, Output output, ObjectMapper mapper) {
        this.jobId = jobId;
        this.output = output;
        this.mapper = mapper;
    }

    /** Handles one event; false once the job has reached a final state (nothing more will come). */
    boolean accept(ServerSentEvent event) {
        JsonNode item;
        try {
            item = mapper.readTree(event.data());
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCode.UNAVAILABLE, "BAD_EVENT", "The jobs service sent an event that is not "
                    + "JSON: " + event.data());
        }
        if (output.json()) {
            output.jsonLine(item);
        }
        JsonNode data = item.path("data");
        switch (item.path("type").asText()) {
            case "snapshot" -> snapshot(data);
            case "state" -> stateChanged(parse(data, JobStateChanged.newBuilder()).build());
            case "progress" -> progress(parse(data, TrainingProgress.newBuilder()).build());
            case "rejected" -> rejected(parse(data, JobRejected.newBuilder()).build());
            default -> {
                // "accepted" repeats what the snapshot showed; unknown types come from a newer service
            }
        }
        return finalState == null;
    }

    /** The final state the job reached, once it has. */
    Optional<JobState> finalState() {
        return Optional.ofNullable(finalState);
    }

    /** 0 for SUCCEEDED; {@link ExitCode#JOB_UNSUCCESSFUL} for every other end. */
    static ExitCode exitCodeOf(JobState state) {
        return state == JobState.JOB_STATE_SUCCEEDED ? ExitCode.OK : ExitCode.JOB_UNSUCCESSFUL;
    }

    /** {@code RUNNING} or {@code JOB_STATE_RUNNING} as the enum ({@code UNRECOGNIZED} for a newer service's state). */
    static JobState state(String name) {
        String full = name.startsWith("JOB_STATE_") ? name : "JOB_STATE_" + name.toUpperCase(Locale.ROOT);
        try {
            return JobState.valueOf(full);
        } catch (IllegalArgumentException e) {
            return JobState.UNRECOGNIZED;
        }
    }

    static String shortName(JobState state) {
        return state == JobState.UNRECOGNIZED ? "UNKNOWN" : state.name().replace("JOB_STATE_", "");
    }

    private void snapshot(JsonNode job) {
        JobState state = state(job.path("state").asText(""));
        if (!output.json()) {
            StringBuilder line = new StringBuilder("job " + jobId + ": " + shortName(state));
            if (job.hasNonNull("queuePosition")) {
                line.append(" (queue position ").append(job.get("queuePosition").asInt());
                if (job.hasNonNull("estimatedStart")) {
                    line.append(", estimated start ").append(Output.instant(job.get("estimatedStart")));
                }
                line.append(')');
            }
            output.line(line.toString());
            if (job.has("errorCode")) {
                output.line("  " + job.path("errorCode").asText() + ": " + job.path("errorMessage").asText(""));
            }
            if (job.has("progress") && !FINAL.contains(state)) {
                progress(parse(job.get("progress"), TrainingProgress.newBuilder()).build());
            }
        }
        reached(state);
    }

    private void stateChanged(JobStateChanged change) {
        if (!output.json()) {
            StringBuilder line = new StringBuilder(shortName(change.getToState()));
            if (!change.getCause().isEmpty() || !change.getActor().isEmpty()) {
                line.append("  (").append(change.getCause());
                if (!change.getActor().isEmpty()) {
                    line.append(change.getCause().isEmpty() ? "" : ", ").append("by ").append(change.getActor());
                }
                line.append(')');
            }
            output.line(line.toString());
            if (change.getErrorCodeValue() != 0 || !change.getErrorMessage().isEmpty()) {
                output.line("  " + change.getErrorCode().name().replace("JOB_ERROR_CODE_", "") + ": "
                        + change.getErrorMessage());
            }
            if (!change.getAdapterName().isEmpty()) {
                output.line("  adapter " + change.getAdapterName() + " v" + change.getAdapterVersion());
            }
        }
        reached(change.getToState());
    }

    private void progress(TrainingProgress progress) {
        if (output.json()) {
            return;
        }
        if (output.terminal()) {
            output.progress(ProgressBar.render(progress, true));
        } else {
            output.line("progress  " + ProgressBar.render(progress, false));
        }
    }

    private void rejected(JobRejected rejected) {
        if (!output.json()) {
            output.line("refused " + (rejected.getCommandType().isEmpty() ? "command" : rejected.getCommandType())
                    + ": " + rejected.getCode().name().replace("REJECTION_CODE_", "") + ": " + rejected.getMessage());
        }
    }

    private void reached(JobState state) {
        if (FINAL.contains(state)) {
            finalState = state;
        }
    }

    private <B extends Message.Builder> B parse(JsonNode data, B builder) {
        return ProtoJson.read(data, builder, mapper);
    }
}
