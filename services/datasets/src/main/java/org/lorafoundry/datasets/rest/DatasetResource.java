package org.lorafoundry.datasets.rest;

import java.io.InputStream;
import java.net.URI;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import io.quarkus.security.Authenticated;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.lorafoundry.datasets.persistence.DatasetRepository;
import org.lorafoundry.datasets.persistence.IngestRecord;
import org.lorafoundry.datasets.persistence.Page;
import org.lorafoundry.datasets.persistence.VersionRecord;
import org.lorafoundry.datasets.rest.Views.DatasetView;
import org.lorafoundry.datasets.rest.Views.IngestView;
import org.lorafoundry.datasets.rest.Views.PageView;
import org.lorafoundry.datasets.rest.Views.SummaryView;
import org.lorafoundry.datasets.rest.Views.VersionSummaryView;
import org.lorafoundry.datasets.rest.Views.VersionView;
import org.lorafoundry.datasets.service.DatasetInput;
import org.lorafoundry.datasets.service.IngestOutcome;
import org.lorafoundry.datasets.service.IngestReport;
import org.lorafoundry.datasets.service.IngestService;
import org.lorafoundry.datasets.service.UploadOptions;
import org.lorafoundry.datasets.validation.ProblemCode;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.quarkus.CurrentCaller;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetSplit;

/**
 * Datasets of the caller's team(s): upload (raw JSONL or multipart), list, get, versions, reports, download. Another
 * team's data is answered exactly like missing data (404); uploading into a team one is not a member of is 403.
 */
@Path("/datasets")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets", description = "Dataset ingestion and immutable dataset versions team/name@vN")
@SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT")
@SecurityRequirement(name = "bearer")
public class DatasetResource {

    public static final String JSONL = "application/jsonl";
    public static final String NDJSON = "application/x-ndjson";
    private static final int MAX_PAGE_SIZE = 100;

    private final CurrentCaller currentCaller;
    private final IngestService ingest;
    private final DatasetRepository repository;
    private final Transactions transactions;
    private final BlobStore blobs;

    DatasetResource(CurrentCaller currentCaller, IngestService ingest, DatasetRepository repository, Transactions transactions,
            BlobStore blobs) {
        this.currentCaller = currentCaller;
        this.ingest = ingest;
        this.repository = repository;
        this.transactions = transactions;
        this.blobs = blobs;
    }

    // ---------------------------------------------------------------- upload

    @POST
    @Path("/{name}")
    @Consumes({NDJSON, JSONL, MediaType.TEXT_PLAIN, MediaType.APPLICATION_OCTET_STREAM})
    @Operation(summary = "Upload a dataset as a raw JSONL body (streamed)",
            description = "Validates, normalises, deduplicates and splits the rows and stores a new version team/name@vN. "
                    + "Identical content answers the existing version (200).")
    @APIResponse(responseCode = "201", description = "A new version was created",
            content = @Content(schema = @Schema(implementation = IngestView.class)))
    @APIResponse(responseCode = "200", description = "Identical to an existing version, which is returned",
            content = @Content(schema = @Schema(implementation = IngestView.class)))
    @APIResponse(responseCode = "400", description = "Invalid parameters, or no team given for a caller of several teams")
    @APIResponse(responseCode = "403", description = "The caller is not a member of the team")
    @APIResponse(responseCode = "413", description = "FILE_TOO_LARGE, with the report",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "422", description = "DATASET_REJECTED, with the report (problems with line numbers)",
            content = @Content(schema = @Schema(implementation = ApiError.class)))
    public Response uploadRaw(@PathParam("name") String name,
            @Parameter(description = "Owning team; may be omitted by a caller with one team") @QueryParam("team") String team,
            @Parameter(description = "Fraction held out as validation, [0, 0.5] (default 0.1)")
            @QueryParam("validationFraction") Double validationFraction,
            @Parameter(description = "Split seed (default 42)") @QueryParam("seed") Long seed,
            @Parameter(description = "Base model whose tokenizer counts tokens (not yet: see README)")
            @QueryParam("baseModel") String baseModel,
            @Parameter(description = "Expected format: text, prompt_completion or chat_messages (default: detect)")
            @QueryParam("format") String format,
            @Parameter(description = "Expected SHA-256 of the body") @QueryParam("sha256") String sha256,
            @QueryParam("description") String description,
            @HeaderParam("Content-Length") String contentLength,
            InputStream body) throws SQLException {
        String owner = uploadTeam(team);
        OptionalLong size = parseLength(contentLength);
        DatasetInput source = DatasetInput.ofStream("upload:" + name + ".jsonl", body, size);
        return answer(name, owner, ingest.upload(caller().actor(), owner, name,
                options(validationFraction, seed, baseModel, format, sha256, description), source, null));
    }

    @POST
    @Path("/{name}")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload a dataset as multipart/form-data: part 'file' and optional part 'validation'",
            description = "Like the raw upload; with a 'validation' part, that file is the validation split and "
                    + "validationFraction is ignored.")
    @APIResponse(responseCode = "201", description = "A new version was created",
            content = @Content(schema = @Schema(implementation = IngestView.class)))
    @APIResponse(responseCode = "200", description = "Identical to an existing version",
            content = @Content(schema = @Schema(implementation = IngestView.class)))
    @APIResponse(responseCode = "413", description = "FILE_TOO_LARGE, with the report")
    @APIResponse(responseCode = "422", description = "DATASET_REJECTED, with the report")
    public Response uploadMultipart(@PathParam("name") String name, @QueryParam("team") String team,
            @QueryParam("validationFraction") Double validationFraction, @QueryParam("seed") Long seed,
            @QueryParam("baseModel") String baseModel, @QueryParam("format") String format,
            @QueryParam("sha256") String sha256, @QueryParam("description") String description,
            @RestForm("file") FileUpload file, @RestForm("validation") FileUpload validation) throws SQLException {
        String owner = uploadTeam(team);
        if (file == null) {
            throw ApiException.badRequest("INVALID_REQUEST", "The multipart body needs a part 'file' (the JSONL rows)");
        }
        DatasetInput source = DatasetInput.ofFile("upload:" + partName(file), file.uploadedFile());
        DatasetInput held = validation == null ? null
                : DatasetInput.ofFile("upload:" + partName(validation), validation.uploadedFile());
        return answer(name, owner, ingest.upload(caller().actor(), owner, name,
                options(validationFraction, seed, baseModel, format, sha256, description), source, held));
    }

    private Response answer(String name, String team, IngestOutcome outcome) {
        IngestReport report = outcome.report();
        return switch (outcome.kind()) {
            case CREATED -> Response.created(URI.create("/datasets/" + name + "/versions/" + outcome.version().version()
                            + "?team=" + team))
                    .entity(new IngestView(outcome.ingestId(), "created", report.message(),
                            VersionView.of(outcome.version()), report)).build();
            case EXISTING -> Response.ok(new IngestView(outcome.ingestId(), "existing", report.message(),
                    VersionView.of(outcome.version()), report)).build();
            case REJECTED -> {
                boolean tooLarge = report.hasError(ProblemCode.FILE_TOO_LARGE);
                yield ApiExceptionMapper.json(tooLarge ? 413 : 422, new ApiError(
                        tooLarge ? "FILE_TOO_LARGE" : "DATASET_REJECTED", report.message(), null, outcome.ingestId(),
                        report));
            }
            case ALREADY_APPLIED -> throw new IllegalStateException("An upload has no event id to be applied twice");
        };
    }

    private static UploadOptions options(Double validationFraction, Long seed, String baseModel, String format,
            String sha256, String description) {
        DatasetFormat parsed = null;
        if (format != null && !format.isBlank()) {
            try {
                parsed = DatasetFormat.valueOf("DATASET_FORMAT_" + format.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                parsed = DatasetFormat.UNRECOGNIZED;
            }
            if (parsed == DatasetFormat.UNRECOGNIZED || parsed == DatasetFormat.DATASET_FORMAT_UNSPECIFIED) {
                throw ApiException.badRequest("INVALID_REQUEST", "format '" + format
                        + "' is not text, prompt_completion or chat_messages");
            }
        }
        return new UploadOptions(validationFraction, seed, parsed, baseModel, sha256, description);
    }

    private static String partName(FileUpload upload) {
        return upload.fileName() == null || upload.fileName().isBlank() ? upload.name() : upload.fileName();
    }

    private static OptionalLong parseLength(String header) {
        try {
            return header == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    // ---------------------------------------------------------------- read

    @GET
    @Operation(summary = "List the datasets of a team (or of all the caller's teams), by name, with their latest version")
    public PageView<SummaryView> list(@QueryParam("team") String team,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("20") int size)
            throws SQLException {
        checkPage(page, size);
        List<String> teams;
        if (team != null && !team.isBlank()) {
            if (!caller().canSee(team)) {
                throw ApiException.notFound("No team '" + team + "'");
            }
            teams = List.of(team);
        } else if (!caller().teams().isEmpty()) {
            teams = List.copyOf(caller().teams());
        } else {
            throw ApiException.badRequest("TEAM_REQUIRED", "Your token names no team: pass ?team=");
        }
        Page<org.lorafoundry.datasets.persistence.DatasetSummary> found =
                transactions.inTransaction(tx -> repository.listDatasets(tx, teams, page, size));
        return PageView.of(found, SummaryView::of);
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "A dataset: its latest version and its newest versions (all of them: /versions)")
    @APIResponse(responseCode = "404", description = "No such dataset in the team (or the team is not the caller's)")
    public DatasetView get(@PathParam("name") String name, @QueryParam("team") String team) throws SQLException {
        String owner = readTeam(team);
        return transactions.inTransaction(tx -> {
            VersionRecord latest = repository.findLatest(tx, owner, name).orElseThrow(() -> missing(owner, name));
            Page<VersionRecord> versions = repository.listVersions(tx, owner, name, 0, MAX_PAGE_SIZE);
            return new DatasetView(owner, name, VersionView.of(latest), versions.total(),
                    versions.items().stream().map(VersionSummaryView::of).toList());
        });
    }

    @GET
    @Path("/{name}/versions")
    @Operation(summary = "The versions of a dataset, newest first")
    public PageView<VersionSummaryView> versions(@PathParam("name") String name, @QueryParam("team") String team,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("20") int size)
            throws SQLException {
        checkPage(page, size);
        String owner = readTeam(team);
        Page<VersionRecord> versions = transactions.inTransaction(tx -> repository.listVersions(tx, owner, name, page, size));
        if (versions.total() == 0) {
            throw missing(owner, name);
        }
        return PageView.of(versions, VersionSummaryView::of);
    }

    @GET
    @Path("/{name}/versions/{version}")
    @Operation(summary = "One version (3 or v3): URIs, checksums, splits, format, statistics")
    public VersionView version(@PathParam("name") String name, @PathParam("version") String version,
            @QueryParam("team") String team) throws SQLException {
        return VersionView.of(findVersion(readTeam(team), name, version));
    }

    @GET
    @Path("/{name}/versions/{version}/report")
    @Operation(summary = "The ingest report of a version: warnings (duplicates removed, long examples) and counts")
    public IngestReport versionReport(@PathParam("name") String name, @PathParam("version") String version,
            @QueryParam("team") String team) throws SQLException {
        VersionRecord found = findVersion(readTeam(team), name, version);
        IngestRecord record = transactions.inTransaction(tx -> repository.findIngest(tx, found.ingestId()))
                .orElseThrow(() -> ApiException.notFound("No report for " + found.ref()));
        return ingest.readReport(record.reportJson());
    }

    @GET
    @Path("/{name}/versions/{version}/download")
    @Produces({JSONL, MediaType.APPLICATION_JSON})
    @Operation(summary = "Download a split as normalised JSONL (streamed; its SHA-256 is verified while streaming "
            + "and sent in the Digest and X-Checksum-Sha256 headers)")
    @APIResponse(responseCode = "200", description = "The split's JSONL",
            content = @Content(mediaType = JSONL, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)))
    public Response download(@PathParam("name") String name, @PathParam("version") String version,
            @QueryParam("team") String team, @QueryParam("split") @DefaultValue("train") String split)
            throws SQLException {
        VersionRecord found = findVersion(readTeam(team), name, version);
        DatasetSplit stored = found.ingested().getSplitsList().stream().filter(s -> s.getName().equals(split))
                .findFirst().orElseThrow(() -> ApiException.notFound(found.ref() + " has no split '" + split
                        + "' (it has " + found.ingested().getSplitsList().stream().map(DatasetSplit::getName).toList()
                        + ")"));
        BlobRef ref = new BlobRef(URI.create(stored.getBlob().getUri()), stored.getBlob().getSha256(),
                stored.getBlob().getSizeBytes());
        StreamingOutput body = out -> {
            try (InputStream in = blobs.open(ref)) {
                in.transferTo(out); // the stream throws at its end if size or checksum differ: the response is cut
            }
        };
        return Response.ok(body, JSONL)
                .header("Content-Length", ref.sizeBytes())
                .header("X-Checksum-Sha256", ref.sha256())
                .header("Digest", "sha-256=" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(ref.sha256())))
                .header("ETag", "\"" + ref.sha256() + "\"")
                .header("Content-Disposition", "attachment; filename=\"" + found.name() + "-v" + found.version() + "-"
                        + split + ".jsonl\"")
                .build();
    }

    @GET
    @Path("/reports/{id}")
    @Operation(summary = "The report of any ingest (rejected ones too), by ingest id or by dataset id (latest ingest)")
    @APIResponse(responseCode = "404", description = "No such ingest visible to the caller")
    public IngestReport report(@PathParam("id") String id) throws SQLException {
        IngestRecord record = transactions.inTransaction(tx -> repository.findIngest(tx, id))
                .filter(found -> caller().canSee(found.team()))
                .orElseThrow(() -> ApiException.notFound("No ingest report '" + id + "'"));
        return ingest.readReport(record.reportJson());
    }

    // ---------------------------------------------------------------- helpers

    /** The caller of this request (request-scoped; never held beyond it). */
    private Caller caller() {
        return currentCaller.get();
    }

    private VersionRecord findVersion(String team, String name, String version) throws SQLException {
        Optional<Integer> number = parseVersion(version);
        if (number.isEmpty()) {
            throw ApiException.notFound("No version '" + version + "' of " + team + "/" + name);
        }
        return transactions.inTransaction(tx -> repository.findVersion(tx, team, name, number.get()))
                .orElseThrow(() -> ApiException.notFound("No version " + team + "/" + name + "@v" + number.get()));
    }

    private static Optional<Integer> parseVersion(String text) {
        String digits = text.startsWith("v") ? text.substring(1) : text;
        try {
            int value = Integer.parseInt(digits);
            return value > 0 ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The team a read is about: ?team= (which must be visible: else 404) or the caller's only team. */
    private String readTeam(String team) {
        if (team != null && !team.isBlank()) {
            if (!caller().canSee(team)) {
                throw ApiException.notFound("No dataset of team '" + team + "'");
            }
            return team;
        }
        return onlyTeam();
    }

    /** The team an upload goes to: ?team= (the caller must be a member: else 403) or the caller's only team. */
    private String uploadTeam(String team) {
        String owner = team != null && !team.isBlank() ? team : onlyTeam();
        if (!caller().isMemberOf(owner) && !caller().isAdmin()) {
            throw new ApiException(403, "FORBIDDEN", "You are not a member of team '" + owner + "'");
        }
        if (!ingest.isKnownTeam(owner)) {
            throw ApiException.badRequest("UNKNOWN_TEAM", "Team '" + owner + "' is not known to the platform");
        }
        return owner;
    }

    private String onlyTeam() {
        if (caller().teams().size() == 1) {
            return caller().teams().iterator().next();
        }
        throw ApiException.badRequest("TEAM_REQUIRED", caller().teams().isEmpty()
                ? "Your token names no team: pass ?team="
                : "You belong to several teams " + caller().teams().stream().sorted().toList() + ": pass ?team=");
    }

    private static ApiException missing(String team, String name) {
        return ApiException.notFound("No dataset '" + name + "' in team '" + team + "'");
    }

    private static void checkPage(int page, int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiException.badRequest("INVALID_REQUEST", "page must be >= 0 and size in [1, " + MAX_PAGE_SIZE + "]");
        }
    }
}
