package org.lorafoundry.datasets.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.datasets.messaging.DatasetEventOutbox;
import org.lorafoundry.datasets.persistence.DatasetRepository;
import org.lorafoundry.datasets.persistence.IngestRecord;
import org.lorafoundry.datasets.persistence.VersionRecord;
import org.lorafoundry.datasets.validation.Problem;
import org.lorafoundry.datasets.validation.ProblemCode;
import org.lorafoundry.datasets.validation.ProblemCollector;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.idempotency.ProcessedEvents;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetProblem;
import org.lorafoundry.proto.v1.DatasetProblemCount;
import org.lorafoundry.proto.v1.DatasetRejected;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.IngestDataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataset ingestion, from a REST upload or an IngestDataset command: validate and prepare the data with the
 * {@link IngestPipeline} (slow, outside any transaction), write the splits to the blob store under content-addressed
 * paths, then commit the version (or the rejection), the ingest report and the answering event (outbox) in one
 * transaction — guarded by the command's event-id claim. A crash between the blob writes and the commit leaves only
 * unreferenced blobs, which the retry writes again under the same names.
 */
@ApplicationScoped
public class IngestService {

    public static final String CONSUMER = "datasets.commands";
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    public static final Pattern DATASET_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    /** Names the REST API uses as path segments under /datasets. */
    private static final Set<String> RESERVED_NAMES = Set.of("reports");
    private static final ProcessedEvents COMMANDS = new ProcessedEvents(CONSUMER);
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final Transactions transactions;
    private final DatasetRepository repository;
    private final DatasetEventOutbox events;
    private final BlobStore blobs;
    private final ObjectMapper json;
    private final MeterRegistry metrics;
    private final IngestSettings settings;
    private final Set<String> knownTeams;
    private final SourceResolver sources;
    private final Path workRoot;

    /**
     * Fault injection for tests: called with the ingest id inside the committing transaction, after the blobs were
     * written and the rows inserted, just before the commit. Throwing here is a crash between blob write and commit.
     */
    private volatile Consumer<String> beforeCommit = ingestId -> {
    };

    /** Sets the fault-injection hook (tests only; a method, so that it reaches the bean behind its client proxy). */
    void beforeCommit(Consumer<String> hook) {
        this.beforeCommit = hook == null ? ingestId -> {
        } : hook;
    }

    IngestService(Transactions transactions, DatasetRepository repository, DatasetEventOutbox events, BlobStore blobs,
            ObjectMapper json, MeterRegistry metrics, DatasetsConfig config,
            @ConfigProperty(name = "foundry.teams") List<String> knownTeams) throws IOException {
        this.transactions = transactions;
        this.repository = repository;
        this.events = events;
        this.blobs = blobs;
        this.json = json;
        this.metrics = metrics;
        this.settings = config.settings();
        this.knownTeams = Set.copyOf(knownTeams);
        this.sources = new SourceResolver(config.importRoots());
        this.workRoot = Files.createDirectories(config.workDir()
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "foundry-datasets-work")));
        removeStaleWorkDirectories();
    }

    /** Work directories of ingests that died with their process (a day old) are removed at start-up. */
    private void removeStaleWorkDirectories() {
        Instant dayAgo = Instant.now().minusSeconds(86_400);
        try (Stream<Path> children = Files.list(workRoot)) {
            children.filter(Files::isDirectory).filter(dir -> dir.getFileName().toString().startsWith("ing-"))
                    .filter(dir -> {
                        try {
                            return Files.getLastModifiedTime(dir).toInstant().isBefore(dayAgo);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .forEach(IngestService::deleteRecursively);
        } catch (IOException e) {
            LOG.warn("Cannot list the work directory {}: {}", workRoot, e.getMessage());
        }
    }

    public IngestSettings settings() {
        return settings;
    }

    public boolean isKnownTeam(String team) {
        return knownTeams.contains(team);
    }

    // ---------------------------------------------------------------- Kafka

    /** Handles an IngestDataset command of {@code team} (the topic's). Idempotent on the command's event id. */
    public IngestOutcome ingestCommand(String team, IngestDataset command, String recordKey, EventMetadata metadata)
            throws SQLException {
        if (transactions.inTransaction(tx -> repository.isProcessed(tx, CONSUMER, metadata.eventId()))) {
            return count("kafka", new IngestOutcome(IngestOutcome.Kind.ALREADY_APPLIED, null, null, null), 0);
        }
        String hash = shortHash(metadata.eventId());
        String datasetId = command.getDatasetId().isEmpty() ? "ds-" + hash : command.getDatasetId();
        Attempt attempt = new Attempt("ing-" + hash, team, command.getName(), datasetId,
                !command.getDatasetId().isEmpty(), "team:" + team, metadata, metadata.eventId(), command.getSourceUri(),
                command.getValidationUri(), command.getDescription(), command.getTagsMap(), "kafka");
        List<Problem> invalid = validateCommand(team, command);
        if (!invalid.isEmpty()) {
            return reject(attempt, invalid, 0);
        }
        DatasetInput source;
        DatasetInput validation = null;
        try {
            source = sources.resolve(command.getSourceUri());
        } catch (SourceResolver.UnreadableSourceException e) {
            return reject(attempt, List.of(Problem.ofFile(ProblemCode.SOURCE_UNREADABLE, e.getMessage(), Problem.SOURCE)), 0);
        }
        if (!command.getValidationUri().isEmpty()) {
            try {
                validation = sources.resolve(command.getValidationUri());
            } catch (SourceResolver.UnreadableSourceException e) {
                return reject(attempt, List.of(Problem.ofFile(ProblemCode.SOURCE_UNREADABLE, e.getMessage(),
                        Problem.VALIDATION)), 0);
            }
        }
        IngestRequest request = new IngestRequest(source, validation,
                command.hasValidationFraction() ? command.getValidationFraction() : settings.defaultValidationFraction(),
                command.hasSeed() ? command.getSeed() : settings.defaultSeed(), command.getFormatHint(),
                command.getSourceSha256().toLowerCase(), command.getBaseModelName());
        return run(attempt, request);
    }

    /** Answers a command that could not be decoded (the record itself goes to the dead-letter topic). */
    public IngestOutcome malformed(String team, String recordKey, EventMetadata metadata, String reason)
            throws SQLException {
        String hash = shortHash(metadata.eventId());
        String datasetId = recordKey != null && DATASET_ID.matcher(recordKey).matches() ? recordKey : "ds-" + hash;
        Attempt attempt = new Attempt("ing-" + hash, team, "", datasetId, false, "team:" + team, metadata,
                metadata.eventId(), "", "", "", Map.of(), "kafka");
        return reject(attempt, List.of(Problem.ofFile(ProblemCode.INVALID_COMMAND, reason, "command")), 0);
    }

    static List<Problem> validateCommandFields(String team, IngestDataset command, Set<String> knownTeams) {
        List<Problem> problems = new ArrayList<>();
        if (!knownTeams.contains(team)) {
            problems.add(invalid("Team '" + team + "' is not known to the platform; ask an admin to create it"));
        }
        if (!NAME.matcher(command.getName()).matches() || RESERVED_NAMES.contains(command.getName())) {
            problems.add(invalid("name '" + command.getName() + "' is invalid: 1-64 of a-z, 0-9, '.', '_', '-', "
                    + "starting with a letter or digit (and not 'reports')"));
        }
        if (!command.getDatasetId().isEmpty() && !DATASET_ID.matcher(command.getDatasetId()).matches()) {
            problems.add(invalid("dataset_id '" + command.getDatasetId() + "' is invalid: 1-64 of A-Z, a-z, 0-9, '.', "
                    + "'_', '-'"));
        }
        if (command.getSourceUri().isBlank()) {
            problems.add(invalid("source_uri is required (a file:// URI under an import root)"));
        }
        if (command.hasValidationFraction() && !validFraction(command.getValidationFraction())) {
            problems.add(invalid("validation_fraction " + command.getValidationFraction() + " is outside [0, 0.5]"));
        }
        if (command.getFormatHint() == DatasetFormat.UNRECOGNIZED) {
            problems.add(invalid("format_hint " + command.getFormatHintValue() + " is not a known format"));
        }
        if (!command.getSourceSha256().isEmpty() && !SHA256.matcher(command.getSourceSha256()).matches()) {
            problems.add(invalid("source_sha256 must be 64 hex characters"));
        }
        return problems;
    }

    private List<Problem> validateCommand(String team, IngestDataset command) {
        return validateCommandFields(team, command, knownTeams);
    }

    private static Problem invalid(String message) {
        return Problem.ofFile(ProblemCode.INVALID_COMMAND, message, "command");
    }

    static boolean validFraction(double fraction) {
        return fraction >= 0 && fraction <= IngestSettings.MAX_VALIDATION_FRACTION;
    }

    // ---------------------------------------------------------------- REST

    /**
     * Ingests an upload of {@code team} (membership checked by the caller). Not idempotent by event (there is none):
     * identical content is answered with the existing version.
     *
     * @throws InvalidRequestException when the parameters are invalid (nothing stored)
     */
    public IngestOutcome upload(String actor, String team, String name, UploadOptions options, DatasetInput source,
            DatasetInput validation) throws SQLException {
        List<String> violations = new ArrayList<>();
        if (!NAME.matcher(name).matches() || RESERVED_NAMES.contains(name)) {
            violations.add("name '" + name + "' is invalid: 1-64 of a-z, 0-9, '.', '_', '-', starting with a letter or "
                    + "digit (and not 'reports')");
        }
        if (options.validationFraction() != null && !validFraction(options.validationFraction())) {
            violations.add("validationFraction " + options.validationFraction() + " is outside [0, 0.5]");
        }
        if (options.sourceSha256() != null && !options.sourceSha256().isEmpty()
                && !SHA256.matcher(options.sourceSha256()).matches()) {
            violations.add("sha256 must be 64 hex characters");
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        String hash = shortHash(UUID.randomUUID().toString());
        EventMetadata cause = EventMetadata.newEvent("UploadDataset");
        Attempt attempt = new Attempt("ing-" + hash, team, name, "ds-" + hash, false, actor, cause, null, source.uri(),
                validation == null ? "" : validation.uri(), options.description() == null ? "" : options.description(),
                Map.of(), "rest");
        IngestRequest request = new IngestRequest(source, validation,
                options.validationFraction() != null ? options.validationFraction() : settings.defaultValidationFraction(),
                options.seed() != null ? options.seed() : settings.defaultSeed(), options.format(),
                options.sourceSha256() == null ? "" : options.sourceSha256().toLowerCase(), options.baseModel());
        return run(attempt, request);
    }

    // ---------------------------------------------------------------- the ingest

    private IngestOutcome run(Attempt attempt, IngestRequest request) throws SQLException {
        long started = System.nanoTime();
        Path work;
        try {
            work = Files.createTempDirectory(workRoot, attempt.ingestId() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a work directory under " + workRoot, e);
        }
        try {
            PipelineResult result;
            try {
                result = new IngestPipeline(settings).run(request, work);
            } catch (IOException | UncheckedIOException e) {
                // The work directory failed (disk full...): a service problem, retried by the caller.
                throw new UncheckedIOException("Ingest " + attempt.ingestId() + " failed in its work directory",
                        e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
            }
            IngestOutcome outcome = result.accepted() ? commitAccepted(attempt, result) : commitRejected(attempt, result);
            double seconds = (System.nanoTime() - started) / 1e9;
            metrics.timer("foundry.datasets.ingest.duration", "via", attempt.via(), "outcome", tag(outcome.kind()))
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            LOG.info("Ingest {} of {}/{} via {}: {} in {} s ({} rows read, {} rows/s): {}", attempt.ingestId(),
                    attempt.team(), attempt.name(), attempt.via(), outcome.kind(), String.format("%.1f", seconds),
                    result.rowsRead(), Math.round(result.rowsRead() / Math.max(seconds, 1e-3)), result.message());
            return count(attempt.via(), outcome, result.rowsRead());
        } finally {
            deleteRecursively(work);
        }
    }

    private IngestOutcome commitAccepted(Attempt attempt, PipelineResult result) throws SQLException {
        Optional<VersionRecord> known = transactions.inTransaction(tx ->
                repository.findByContent(tx, attempt.team(), attempt.name(), result.contentSha256()));
        List<DatasetSplit> splits = known.isPresent() ? List.of() : writeBlobs(attempt, result);
        return transactions.inTransaction(tx -> {
            if (attempt.commandEventId() != null && !COMMANDS.claim(tx, attempt.commandEventId())) {
                return new IngestOutcome(IngestOutcome.Kind.ALREADY_APPLIED, attempt.ingestId(), null, null);
            }
            if (attempt.explicitDatasetId()) {
                Optional<VersionRecord> taken = repository.findByDatasetId(tx, attempt.datasetId());
                if (taken.isPresent() && !(taken.get().team().equals(attempt.team())
                        && taken.get().name().equals(attempt.name())
                        && taken.get().contentSha256().equals(result.contentSha256()))) {
                    return rejectIn(tx, attempt, List.of(invalid("dataset_id '" + attempt.datasetId()
                            + "' already names another dataset version; choose a new id (or leave it empty)")),
                            result.rowsRead(), result.sourceSha256());
                }
            }
            int latest = repository.lockDataset(tx, attempt.team(), attempt.name());
            Optional<VersionRecord> same = repository.findByContent(tx, attempt.team(), attempt.name(),
                    result.contentSha256());
            if (same.isPresent()) {
                VersionRecord existing = same.get();
                IngestReport report = report(attempt, result, "existing", existing, existing.datasetId(),
                        "Identical to " + existing.ref() + ": " + result.message());
                repository.insertIngest(tx, ingestRecord(attempt, "EXISTING", existing.datasetId(), report));
                events.ingested(tx, attempt.cause(), existing.ingested().toBuilder()
                        .setCommandEventId(attempt.commandEventId() == null ? "" : attempt.commandEventId()).build());
                beforeCommit.accept(attempt.ingestId());
                return new IngestOutcome(IngestOutcome.Kind.EXISTING, attempt.ingestId(), existing, report);
            }
            if (splits.isEmpty()) {
                // Found before the blob writes but gone now: impossible (versions are immutable); retry from the start.
                throw new IllegalStateException("Version with content " + result.contentSha256() + " disappeared");
            }
            int version = latest + 1;
            DatasetIngested ingested = DatasetIngested.newBuilder()
                    .setDatasetId(attempt.datasetId())
                    .setTeam(attempt.team())
                    .setName(attempt.name())
                    .setVersion(version)
                    .setFormat(result.format())
                    .setHasLabels(result.labelled())
                    .addAllLabelValues(result.labelValues())
                    .addAllSplits(splits)
                    .setStatistics(result.statistics())
                    .setSourceUri(attempt.sourceUri())
                    .setSourceSha256(result.sourceSha256())
                    .setValidationSourceUri(attempt.validationUri())
                    .setDescription(attempt.description())
                    .putAllTags(attempt.tags())
                    .setCommandEventId(attempt.commandEventId() == null ? "" : attempt.commandEventId())
                    .build();
            VersionRecord created = new VersionRecord(attempt.datasetId(), attempt.team(), attempt.name(), version,
                    result.contentSha256(), ingested, attempt.ingestId(), attempt.actor(), Instant.now());
            IngestReport report = report(attempt, result, "created", created, created.datasetId(),
                    created.ref() + ": " + result.message());
            repository.insertVersion(tx, created);
            repository.insertIngest(tx, ingestRecord(attempt, "CREATED", created.datasetId(), report));
            events.ingested(tx, attempt.cause(), ingested);
            beforeCommit.accept(attempt.ingestId());
            return new IngestOutcome(IngestOutcome.Kind.CREATED, attempt.ingestId(), created, report);
        });
    }

    /** Writes the splits under {@code datasets/{team}/{name}/sha-{content}/{split}.jsonl} (content-addressed). */
    private List<DatasetSplit> writeBlobs(Attempt attempt, PipelineResult result) {
        List<DatasetSplit> splits = new ArrayList<>();
        for (PreparedSplit split : result.splits()) {
            String path = "datasets/" + attempt.team() + "/" + attempt.name() + "/sha-" + result.contentSha256() + "/"
                    + split.name() + ".jsonl";
            BlobRef ref;
            try (InputStream in = Files.newInputStream(split.file())) {
                ref = blobs.put(path, in);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write blob " + path, e);
            }
            if (!ref.sha256().equals(split.sha256()) || ref.sizeBytes() != split.sizeBytes()) {
                throw new IllegalStateException("Blob " + path + " was written as " + ref.sha256() + " ("
                        + ref.sizeBytes() + " bytes), expected " + split.sha256() + " (" + split.sizeBytes() + ")");
            }
            splits.add(DatasetSplit.newBuilder().setName(split.name()).setRowCount(split.rows())
                    .setBlob(org.lorafoundry.proto.v1.BlobRef.newBuilder().setUri(ref.uri().toString())
                            .setSha256(ref.sha256()).setSizeBytes(ref.sizeBytes()).setMediaType("application/jsonl"))
                    .build());
        }
        return splits;
    }

    private IngestOutcome commitRejected(Attempt attempt, PipelineResult result) throws SQLException {
        return transactions.inTransaction(tx -> {
            if (attempt.commandEventId() != null && !COMMANDS.claim(tx, attempt.commandEventId())) {
                return new IngestOutcome(IngestOutcome.Kind.ALREADY_APPLIED, attempt.ingestId(), null, null);
            }
            IngestReport report = report(attempt, result, "rejected", null, attempt.datasetId(), result.message());
            storeRejection(tx, attempt, report);
            return new IngestOutcome(IngestOutcome.Kind.REJECTED, attempt.ingestId(), null, report);
        });
    }

    /** Rejects before any data was read (invalid command, unreadable source). */
    private IngestOutcome reject(Attempt attempt, List<Problem> problems, long rowsRead) throws SQLException {
        IngestOutcome outcome = transactions.inTransaction(tx -> {
            if (attempt.commandEventId() != null && !COMMANDS.claim(tx, attempt.commandEventId())) {
                return new IngestOutcome(IngestOutcome.Kind.ALREADY_APPLIED, attempt.ingestId(), null, null);
            }
            return rejectIn(tx, attempt, problems, rowsRead, "");
        });
        LOG.info("Ingest {} of {}/{} via {}: {} {}", attempt.ingestId(), attempt.team(), attempt.name(), attempt.via(),
                outcome.kind(), outcome.report() == null ? "" : outcome.report().message());
        return count(attempt.via(), outcome, rowsRead);
    }

    private IngestOutcome rejectIn(Connection tx, Attempt attempt, List<Problem> problems, long rowsRead,
            String sourceSha256) throws SQLException {
        ProblemCollector collector = new ProblemCollector(settings.maxProblemsListed());
        problems.forEach(collector::error);
        String message = "Rejected: " + problems.stream().map(p -> p.code() + ": " + p.message())
                .reduce((a, b) -> a + "; " + b).orElse("");
        IngestReport report = new IngestReport(attempt.ingestId(), attempt.team(), attempt.name(), attempt.datasetId(),
                "rejected", null, message, attempt.sourceUri(), sourceSha256, 0, attempt.validationUri(), rowsRead, 0, 0,
                collector.maxListed(), collector.errors(), collector.errorCounts(), List.of(), Map.of(),
                Instant.now().toString());
        storeRejection(tx, attempt, report);
        return new IngestOutcome(IngestOutcome.Kind.REJECTED, attempt.ingestId(), null, report);
    }

    private void storeRejection(Connection tx, Attempt attempt, IngestReport report) throws SQLException {
        repository.insertIngest(tx, ingestRecord(attempt, "REJECTED", null, report));
        DatasetRejected.Builder rejected = DatasetRejected.newBuilder()
                .setDatasetId(attempt.datasetId())
                .setTeam(attempt.team())
                .setName(attempt.name())
                .setMessage(report.message())
                .setRowsRead(report.rowsRead())
                .setSourceUri(attempt.sourceUri())
                .setCommandEventId(attempt.commandEventId() == null ? "" : attempt.commandEventId());
        for (Problem problem : firstForEvent(report.errors())) {
            problem.code().proto().ifPresent(code -> rejected.addProblems(DatasetProblem.newBuilder()
                    .setLine(problem.line()).setCode(code).setMessage(problem.message()).setField(problem.field())
                    .setInput(problem.input())));
        }
        report.errorCounts().forEach((code, n) -> code.proto().ifPresent(proto -> rejected.addProblemCounts(
                DatasetProblemCount.newBuilder().setCode(proto).setCount(n))));
        events.rejected(tx, attempt.cause(), rejected.build());
    }

    /** At most 100 problems (the contract's limit), whole-input ones first kept, in input and line order. */
    private static List<Problem> firstForEvent(List<Problem> listed) {
        if (listed.size() <= 100) {
            return listed;
        }
        List<Problem> kept = new ArrayList<>(listed.stream().filter(p -> p.line() == 0).limit(100).toList());
        listed.stream().filter(p -> p.line() > 0).limit(100 - kept.size()).forEach(kept::add);
        kept.sort(Comparator.comparing((Problem p) -> p.input().equals(Problem.SOURCE) ? 0 : 1)
                .thenComparingLong(Problem::line));
        return kept;
    }

    private IngestReport report(Attempt attempt, PipelineResult result, String outcome, VersionRecord version,
            String datasetId, String message) {
        ProblemCollector problems = result.problems();
        return new IngestReport(attempt.ingestId(), attempt.team(), attempt.name(), datasetId, outcome,
                version == null ? null : version.ref(), message, attempt.sourceUri(), result.sourceSha256(),
                result.sourceBytes(), attempt.validationUri(), result.rowsRead(), result.statistics().getRows(),
                result.statistics().getDuplicatesRemoved(), problems.maxListed(), problems.errors(),
                problems.errorCounts(), problems.warnings(), problems.warningCounts(), Instant.now().toString());
    }

    private IngestRecord ingestRecord(Attempt attempt, String outcome, String versionDatasetId, IngestReport report) {
        try {
            return new IngestRecord(attempt.ingestId(), attempt.team(), attempt.name(), attempt.datasetId(), outcome,
                    versionDatasetId, attempt.sourceUri(), attempt.actor(), attempt.commandEventId(), report.message(),
                    json.writeValueAsString(report), null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the report of " + attempt.ingestId(), e);
        }
    }

    /** Reads a stored report. */
    public IngestReport readReport(String reportJson) {
        try {
            return json.readValue(reportJson, IngestReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored report is unreadable", e);
        }
    }

    private IngestOutcome count(String via, IngestOutcome outcome, long rowsRead) {
        metrics.counter("foundry.datasets.ingests", "via", via, "outcome", tag(outcome.kind())).increment();
        if (rowsRead > 0) {
            metrics.counter("foundry.datasets.rows.processed", "via", via).increment(rowsRead);
        }
        return outcome;
    }

    private static String tag(IngestOutcome.Kind kind) {
        return kind.name().toLowerCase();
    }

    private static String shortHash(String text) {
        return HexFormat.of().formatHex(IngestPipeline.sha256().digest(text.getBytes(StandardCharsets.UTF_8)), 0, 8);
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("Cannot delete {}: {}", path, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.warn("Cannot clean up {}: {}", directory, e.getMessage());
        }
    }

    /** Who asked for what, and how to answer. */
    private record Attempt(String ingestId, String team, String name, String datasetId, boolean explicitDatasetId,
            String actor, EventMetadata cause, String commandEventId, String sourceUri, String validationUri,
            String description, Map<String, String> tags, String via) {

        Attempt {
            tags = new LinkedHashMap<>(tags);
        }
    }
}
