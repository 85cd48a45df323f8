package org.lorafoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.lorafoundry.cli.http.ServerSentEvent;
import org.lorafoundry.cli.output.Output;
import org.lorafoundry.proto.v1.JobState;

class JobWatchTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final ServerSentEvent QUEUED_SNAPSHOT = event("snapshot",
            "{\"jobId\":\"j1\",\"state\":\"QUEUED\",\"queuePosition\":2}");
    private static final ServerSentEvent RUNNING = event("state",
            "{\"jobId\":\"j1\",\"fromState\":\"JOB_STATE_DISPATCHED\",\"toState\":\"JOB_STATE_RUNNING\","
                    + "\"cause\":\"TrainingStarted\",\"actor\":\"worker:w1\",\"attempt\":1}");
    private static final ServerSentEvent PROGRESS = event("progress",
            "{\"jobId\":\"j1\",\"step\":\"50\",\"totalSteps\":\"100\",\"loss\":1.5,\"tokensPerSecond\":900,"
                    + "\"etaSeconds\":\"30\",\"someNewField\":1}");
    private static final ServerSentEvent FAILED = event("state",
            "{\"jobId\":\"j1\",\"toState\":\"JOB_STATE_FAILED\",\"cause\":\"TrainingFailed\","
                    + "\"errorCode\":\"JOB_ERROR_CODE_TRAINING_OUT_OF_MEMORY\",\"errorMessage\":\"lower the batch size\"}");

    private final StringWriter out = new StringWriter();

    private static ServerSentEvent event(String type, String data) {
        return new ServerSentEvent("message", "{\"jobId\":\"j1\",\"type\":\"" + type + "\",\"data\":" + data + "}");
    }

    private JobWatch watch(boolean json, boolean terminal) {
        return new JobWatch("j1", new Output(new PrintWriter(out), new PrintWriter(new StringWriter()), json, terminal,
                MAPPER), MAPPER);
    }

    /** Feeds the events until the watch stops; returns how many it took. */
    private static int feed(JobWatch watch, List<ServerSentEvent> events) {
        int taken = 0;
        for (ServerSentEvent event : events) {
            taken++;
            if (!watch.accept(event)) {
                break;
            }
        }
        return taken;
    }

    @Test
    void printsStatesAndProgressLinesAndStopsAtTheFinalState() {
        JobWatch watch = watch(false, false);

        int taken = feed(watch, List.of(QUEUED_SNAPSHOT, RUNNING, PROGRESS, FAILED, PROGRESS));

        assertThat(taken).isEqualTo(4);
        assertThat(watch.finalState()).contains(JobState.JOB_STATE_FAILED);
        assertThat(out.toString()).isEqualTo("""
                job j1: QUEUED (queue position 2)
                RUNNING  (TrainingStarted, by worker:w1)
                progress   50%  step 50/100  loss 1.5000  900 tok/s  ETA 30s
                FAILED  (TrainingFailed)
                  TRAINING_OUT_OF_MEMORY: lower the batch size
                """);
    }

    @Test
    void onATerminalProgressIsABarRedrawnInPlace() {
        feed(watch(false, true), List.of(RUNNING, PROGRESS, PROGRESS));

        assertThat(out.toString()).contains("\r[############------------]  50%  step 50/100")
                .doesNotContain("progress ");
    }

    @Test
    void withJsonEveryEventIsOneLineOfJson() throws Exception {
        feed(watch(true, false), List.of(QUEUED_SNAPSHOT, RUNNING));

        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(MAPPER.readTree(lines.get(1)).path("data").path("toState").asText()).isEqualTo("JOB_STATE_RUNNING");
    }

    @Test
    void aJobAlreadyOverEndsTheWatchAtTheSnapshot() {
        JobWatch watch = watch(false, false);

        boolean goOn = watch.accept(event("snapshot", "{\"jobId\":\"j1\",\"state\":\"SUCCEEDED\"}"));

        assertThat(goOn).isFalse();
        assertThat(watch.finalState()).contains(JobState.JOB_STATE_SUCCEEDED);
    }

    @Test
    void aRefusedCommandIsShownAndDoesNotEndTheWatch() {
        JobWatch watch = watch(false, false);

        boolean goOn = watch.accept(event("rejected", "{\"jobId\":\"j1\",\"code\":\"REJECTION_CODE_JOB_ALREADY_FINAL\","
                + "\"message\":\"already over\",\"commandType\":\"CancelJob\"}"));

        assertThat(goOn).isTrue();
        assertThat(out.toString()).isEqualTo("refused CancelJob: JOB_ALREADY_FINAL: already over\n");
    }

    @Test
    void onlySucceededExitsZero() {
        assertThat(JobWatch.exitCodeOf(JobState.JOB_STATE_SUCCEEDED)).isEqualTo(ExitCode.OK);
        for (JobState end : List.of(JobState.JOB_STATE_FAILED, JobState.JOB_STATE_REJECTED,
                JobState.JOB_STATE_CANCELLED)) {
            assertThat(JobWatch.exitCodeOf(end).code()).as(end.name()).isEqualTo(6);
        }
    }

    @Test
    void statesReadInBothSpellings() {
        assertThat(JobWatch.state("RUNNING")).isEqualTo(JobState.JOB_STATE_RUNNING);
        assertThat(JobWatch.state("JOB_STATE_CANCEL_REQUESTED")).isEqualTo(JobState.JOB_STATE_CANCEL_REQUESTED);
        assertThat(JobWatch.state("PAUSED")).isEqualTo(JobState.UNRECOGNIZED);
    }
}
