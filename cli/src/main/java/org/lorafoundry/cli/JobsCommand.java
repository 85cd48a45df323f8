package org.lorafoundry.cli;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import org.lorafoundry.cli.config.Service;
import org.lorafoundry.cli.http.ApiClient.Reply;
import org.lorafoundry.cli.http.Query;
import org.lorafoundry.cli.kafka.JobCommandAnswers;
import org.lorafoundry.cli.kafka.JobCommandSender;
import org.lorafoundry.cli.output.Fields;
import org.lorafoundry.cli.output.Output;
import org.lorafoundry.cli.output.ProgressBar;
import org.lorafoundry.cli.output.Table;
import org.lorafoundry.cli.spec.JobSpecReader;
import org.lorafoundry.proto.v1.JobAccepted;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.JobRejected;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.TrainingProgress;

/** {@code foundry jobs}: submit (REST or Kafka), list, show, history, watch, cancel. */
@Command(name = "jobs", description = "Training jobs: submit, list, show, history, watch, cancel.")
final class JobsCommand {

    private static final SecureRandom RANDOM = new SecureRandom();

    @ParentCommand
    FoundryCommand root;

    @Command(name = "submit", description = {"Submit a training job from a YAML or JSON JobSpec (the JSON the jobs API "
            + "takes; '-' reads stdin).", "Over REST by default; --kafka sends a JobCommand to the team's topic "
            + "foundry.jobs.commands.<team> instead."})
    int submit(
            @Parameters(paramLabel = "SPEC", description = "The spec file (.yaml, .yml or .json), or - for stdin.")
            String specFile,
            @Option(names = "--job-id", paramLabel = "ID", description = "Sets (or replaces) the spec's jobId.")
            String jobId,
            @Option(names = "--kafka", description = "Send straight to Kafka instead of POST /jobs.") boolean kafka,
            @Option(names = "--bootstrap", paramLabel = "SERVERS",
                    description = "Kafka bootstrap servers (default: KAFKA_BOOTSTRAP_SERVERS, the config, "
                            + "127.0.0.1:9092).") String bootstrap,
            @Option(names = "--idempotency-key", paramLabel = "KEY",
                    description = "REST: makes a retried submission one job (the same key returns the same job).")
            String idempotencyKey,
            @Option(names = "--wait", arity = "0..1", fallbackValue = "60", paramLabel = "SECONDS",
                    description = {"With --kafka: wait (default 60 s) for the jobs service's answer on "
                            + "foundry.jobs.events and exit as a REST submission would: 0 accepted, 3 refused "
                            + "(with every violation), 5 no answer."}) Integer waitSeconds) {
        JobSpec spec = new JobSpecReader().read(specFile, root.environment().in());
        if (jobId != null) {
            spec = spec.toBuilder().setJobId(jobId).build();
        }
        if (kafka) {
            return submitOverKafka(spec, bootstrap != null ? bootstrap : root.settings().kafkaBootstrap(),
                    waitSeconds == null ? null : Duration.ofSeconds(waitSeconds));
        }
        if (waitSeconds != null) {
            throw CliException.usage("--wait is for --kafka: a REST submission is answered at once");
        }
        Map<String, String> headers = idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
        Reply reply = root.api().send(Service.JOBS, "POST", "/jobs", Query.of().with("team", root.settings().team()),
                ProtoJson.tree(spec, root.mapper()), headers);
        JsonNode job = reply.body();
        if (root.output().json()) {
            root.output().json(job);
        } else {
            String outcome = reply.status() == 202 ? "accepted" : "already submitted (identical spec), unchanged";
            root.output().line("Job " + job.path("jobId").asText() + " " + outcome + ": " + stateLine(job));
            root.output().note("Follow it: foundry jobs watch " + job.path("jobId").asText());
        }
        return ExitCode.OK.code();
    }

    @Command(name = "list", description = "Jobs of your teams (of --team), newest first.")
    int list(
            @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state, e.g. RUNNING.")
            String state,
            @Option(names = "--page", defaultValue = "0", description = "0-based page (default: ${DEFAULT-VALUE}).")
            int page,
            @Option(names = "--size", defaultValue = "20", description = "Jobs per page, 1..200 (default: "
                    + "${DEFAULT-VALUE}).") int size) {
        JsonNode found = root.api().get(Service.JOBS, "/jobs", Query.of().with("team", root.settings().team())
                .with("state", state).with("page", page).with("size", size));
        if (root.output().json()) {
            root.output().json(found);
            return ExitCode.OK.code();
        }
        Table table = Table.of("JOB", "TEAM", "STATE", "PROGRESS", "SUBMITTED", "UPDATED");
        for (JsonNode job : found.path("items")) {
            table.row(job.path("jobId").asText(), job.path("team").asText(), job.path("state").asText(),
                    steps(job.path("progress")), Output.instant(job.get("submittedAt")),
                    Output.instant(job.get("updatedAt")));
        }
        root.output().table(table, "No jobs.");
        if (found.path("hasMore").asBoolean()) {
            root.output().note("More: --page " + (page + 1));
        }
        return ExitCode.OK.code();
    }

    @Command(name = "show", description = "A job: state, spec, queue position, latest progress, error.")
    int show(@Parameters(paramLabel = "JOB_ID") String jobId) {
        JsonNode job = root.api().get(Service.JOBS, "/jobs/" + Query.segment(jobId), Query.of());
        if (root.output().json()) {
            root.output().json(job);
            return ExitCode.OK.code();
        }
        JsonNode spec = job.path("spec");
        root.output().fields(Fields.of()
                .add("job", job.path("jobId").asText())
                .add("team", job.path("team").asText())
                .add("state", stateLine(job))
                .add("error", job.has("errorCode") ? job.path("errorCode").asText() + ": "
                        + job.path("errorMessage").asText("") : null)
                .add("name", spec.path("displayName").asText())
                .add("adapter", spec.path("adapterName").asText())
                .add("base model", spec.path("baseModel").path("name").asText())
                .add("dataset", dataset(spec.path("dataset")))
                .add("lora", lora(spec.path("lora")))
                .add("priority", spec.path("priority").asText().replace("PRIORITY_CLASS_", ""))
                .add("attempt", job.path("attempt").asInt() > 0 ? job.path("attempt").asText() : null)
                .add("worker", job.path("workerId").asText())
                .add("progress", job.has("progress") ? ProgressBar.render(progress(job.get("progress")), false) : null)
                .add("submitted", Output.instant(job.get("submittedAt")))
                .add("updated", Output.instant(job.get("updatedAt"))));
        if (job.hasNonNull("result")) {
            showResult(job.get("result"));
        }
        return ExitCode.OK.code();
    }

    /** The evaluation's verdict and every metric of the adapter beside the baseline's (base model or alias). */
    private void showResult(JsonNode result) {
        root.output().line("");
        root.output().fields(Fields.of()
                .add("verdict", result.path("verdict").asText())
                .add("summary", result.path("summary").asText())
                .add("baseline", result.path("baseline").asText(null))
                .add("registered", result.hasNonNull("adapterVersion") ? result.path("adapter").asText() + " v"
                        + result.path("adapterVersion").asText() : null));
        JsonNode candidate = result.path("candidateMetrics");
        JsonNode baseline = result.path("baselineMetrics");
        Table table = Table.of("METRIC", "ADAPTER", "BASELINE");
        List<String> names = new ArrayList<>();
        candidate.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        for (String name : names) {
            table.row(name, metric(candidate.get(name)), baseline.has(name) ? metric(baseline.get(name)) : "");
        }
        root.output().table(table, "No metrics.");
    }

    private static String metric(JsonNode value) {
        if (value == null || !value.isNumber()) {
            return "";
        }
        double x = value.asDouble();
        // Counts (eval_tokens) read better without decimals; rates and losses with four.
        return x == Math.rint(x) && Math.abs(x) >= 10 ? String.format(Locale.ROOT, "%,.0f", x)
                : String.format(Locale.ROOT, "%.4f", x);
    }

    @Command(name = "history", description = "Every state change of a job, with cause and actor.")
    int history(@Parameters(paramLabel = "JOB_ID") String jobId) {
        JsonNode transitions = root.api().get(Service.JOBS, "/jobs/" + Query.segment(jobId) + "/history", Query.of());
        if (root.output().json()) {
            root.output().json(transitions);
            return ExitCode.OK.code();
        }
        Table table = Table.of("SEQ", "FROM", "TO", "CAUSE", "ACTOR", "AT");
        for (JsonNode step : transitions) {
            // The first transition comes from nothing: "from" is null.
            table.row(step.path("sequence").asText(), step.path("from").asText(""), step.path("to").asText(),
                    step.path("cause").asText(), step.path("actor").asText(), Output.instant(step.get("at")));
        }
        root.output().table(table, "No transitions.");
        return ExitCode.OK.code();
    }

    @Command(name = "watch", description = {"Follow a job live until it ends: state changes, and a progress bar (step, "
            + "loss, tokens/s, ETA) on a terminal.", "Exit code 0 when it SUCCEEDED, 6 when it ended FAILED, REJECTED "
            + "or CANCELLED. --json prints every event as one JSON object per line."})
    int watch(@Parameters(paramLabel = "JOB_ID") String jobId) {
        JobWatch watch = new JobWatch(jobId, root.output(), root.mapper());
        boolean ended = root.api().events(Service.JOBS, "/jobs/" + Query.segment(jobId) + "/events", watch::accept);
        JobState end = watch.finalState().orElseThrow(() -> new CliException(ExitCode.UNAVAILABLE, "STREAM_ENDED",
                "The jobs service closed the event stream before job " + jobId + " ended" + (ended ? "" : " (was it "
                        + "restarted?); 'foundry jobs watch " + jobId + "' follows it again")));
        if (!root.output().json()) {
            root.output().line("job " + jobId + " ended " + JobWatch.shortName(end));
        }
        return JobWatch.exitCodeOf(end).code();
    }

    @Command(name = "cancel", description = "Cancel a job: at once while queued; on a worker it is CANCEL_REQUESTED "
            + "until the worker stops.")
    int cancel(@Parameters(paramLabel = "JOB_ID") String jobId,
            @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the job's history.") String reason) {
        Reply reply = root.api().send(Service.JOBS, "POST", "/jobs/" + Query.segment(jobId) + "/cancel",
                Query.of().with("reason", reason), null, Map.of());
        if (root.output().json()) {
            root.output().json(reply.body());
        } else {
            root.output().line("Job " + jobId + ": " + reply.body().path("state").asText());
        }
        return ExitCode.OK.code();
    }

    private int submitOverKafka(JobSpec spec, String bootstrap, Duration wait) {
        String team = root.settings().requireTeam("submits the job (its topic is foundry.jobs.commands.<team>)");
        JobSpec keyed = spec.getJobId().isEmpty() ? spec.toBuilder().setJobId(newJobId()).build() : spec;
        if (wait != null && (wait.isNegative() || wait.isZero())) {
            throw CliException.usage("--wait needs a positive number of seconds, got " + wait.toSeconds());
        }
        JobCommandSender.Sent sent;
        Optional<JobEvent> answer = Optional.empty();
        // The answer's reader is opened first: it pins the events topic's end before the command can be answered.
        try (JobCommandAnswers answers = wait == null ? null : new JobCommandAnswers(bootstrap);
                JobCommandSender sender = new JobCommandSender(bootstrap)) {
            sent = sender.submit(team, keyed);
            if (answers != null) {
                answer = answers.await(sent.jobId(), sent.eventId(), wait);
            }
        }
        if (wait != null) {
            return reportAnswer(sent, answer.orElseThrow(() -> new CliException(ExitCode.UNAVAILABLE, "NO_ANSWER",
                    "The command for job " + sent.jobId() + " went to " + sent.topic() + " (partition "
                            + sent.partition() + ", offset " + sent.offset() + ") but the jobs service did not answer "
                            + "within " + wait.toSeconds() + " s. Is it running (./foundry status)? It answers "
                            + "when it is back; foundry jobs show " + sent.jobId() + " tells.")));
        }
        if (root.output().json()) {
            root.output().json(whereItWent(sent));
        } else {
            root.output().line(sent.jobId());
            root.output().note("Sent to " + sent.topic() + " (partition " + sent.partition() + ", offset "
                    + sent.offset() + "). The jobs service answers on foundry.jobs.events: foundry jobs watch "
                    + sent.jobId());
        }
        return ExitCode.OK.code();
    }

    /** Where a command went (--json): job id, event id, topic, partition, offset. */
    private static Map<String, Object> whereItWent(JobCommandSender.Sent sent) {
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("jobId", sent.jobId());
        where.put("eventId", sent.eventId());
        where.put("topic", sent.topic());
        where.put("partition", sent.partition());
        where.put("offset", sent.offset());
        return where;
    }

    /** The jobs service's JobAccepted or JobRejected, told like the REST answer (a refusal exits 3). */
    private int reportAnswer(JobCommandSender.Sent sent, JobEvent answer) {
        if (answer.hasJobRejected()) {
            JobRejected rejected = answer.getJobRejected();
            List<String> details = rejected.getViolationsList().stream()
                    .map(v -> v.getField() + ": " + v.getCode() + ": " + v.getMessage()).toList();
            throw new CliException(ExitCode.REFUSED, rejected.getCode().name().replace("REJECTION_CODE_", ""),
                    rejected.getMessage(), details);
        }
        JobAccepted accepted = answer.getJobAccepted();
        if (root.output().json()) {
            Map<String, Object> result = whereItWent(sent);
            result.put("team", accepted.getTeam());
            result.put("accepted", true);
            result.put("duplicate", accepted.getDuplicate());
            root.output().json(result);
        } else {
            JobSpec normalised = accepted.getSpec();
            root.output().line("Job " + accepted.getJobId() + (accepted.getDuplicate() ? " already accepted "
                    + "(identical spec), unchanged" : " accepted") + " (sent to " + sent.topic() + ", offset "
                    + sent.offset() + "): dataset " + normalised.getDataset().getName()
                    + (normalised.getDataset().hasVersion() ? "@v" + normalised.getDataset().getVersion() : "")
                    + ", base model " + normalised.getBaseModel().getName());
            root.output().note("Follow it: foundry jobs watch " + accepted.getJobId());
        }
        return ExitCode.OK.code();
    }

    /**
     * A job id for a Kafka submission without one. The service would derive one from the event id, but the CLI must
     * know it to print it, and it also keys the record.
     */
    private static String newJobId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "job-" + HexFormat.of().formatHex(bytes);
    }

    private static String stateLine(JsonNode job) {
        StringBuilder line = new StringBuilder(job.path("state").asText());
        if (job.hasNonNull("queuePosition")) {
            line.append(" (queue position ").append(job.get("queuePosition").asInt());
            if (job.hasNonNull("estimatedStart")) {
                line.append(", estimated start ").append(Output.instant(job.get("estimatedStart")));
            }
            line.append(')');
        }
        return line.toString();
    }

    private static String steps(JsonNode progress) {
        if (progress.isMissingNode() || progress.isNull()) {
            return null;
        }
        long total = progress.path("totalSteps").asLong();
        return progress.path("step").asLong() + (total > 0 ? "/" + total : "");
    }

    private static String dataset(JsonNode dataset) {
        String name = dataset.path("name").asText(dataset.path("datasetId").asText(""));
        return dataset.has("version") ? name + "@v" + dataset.path("version").asText() : name;
    }

    private static String lora(JsonNode lora) {
        if (lora.isMissingNode()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        text.append("r=").append(lora.path("r").asText("-")).append(" alpha=").append(lora.path("loraAlpha").asText("-"));
        if (lora.has("loraDropout")) {
            text.append(" dropout=").append(lora.path("loraDropout").asText());
        }
        if (lora.has("targetModules")) {
            List<String> modules = new ArrayList<>();
            lora.get("targetModules").forEach(module -> modules.add(module.asText()));
            text.append(" targets=").append(String.join(",", modules));
        }
        return text.toString();
    }

    private TrainingProgress progress(JsonNode data) {
        return ProtoJson.read(data, TrainingProgress.newBuilder(), root.mapper()).build();
    }
}
