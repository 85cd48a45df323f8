package org.lorafoundry.registry.rest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import io.quarkus.security.Authenticated;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.blob.BlobIntegrityException;
import org.lorafoundry.platform.quarkus.CurrentCaller;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.persistence.AdapterRow;
import org.lorafoundry.registry.persistence.VersionRecord;
import org.lorafoundry.registry.rest.Views.AdapterView;
import org.lorafoundry.registry.rest.Views.AliasChangeView;
import org.lorafoundry.registry.rest.Views.AliasRequest;
import org.lorafoundry.registry.rest.Views.AuditView;
import org.lorafoundry.registry.rest.Views.ComparisonView;
import org.lorafoundry.registry.rest.Views.SearchPageView;
import org.lorafoundry.registry.rest.Views.VersionView;
import org.lorafoundry.registry.rest.Views.VisibilityRequest;
import org.lorafoundry.registry.rest.Views.VisibilityView;
import org.lorafoundry.registry.service.AliasService;
import org.lorafoundry.registry.service.ArtifactStore;
import org.lorafoundry.registry.service.CatalogService;
import org.lorafoundry.registry.service.DownloadService;

/**
 * The adapter catalog. Adapters are private to their team unless shared org-wide; another team's private adapter is
 * answered exactly like a missing one (404), and a shared one is read-only to other teams (writes: 403).
 */
@Path("/adapters")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Adapters", description = "Adapter versions team/name@vN: search, lineage, comparison, aliases, download")
@SecurityRequirement(name = "bearer")
public class AdapterResource {

    public static final String ZIP = "application/zip";
    private static final long MAX_REPORT_BYTES = 64L * 1024 * 1024;

    private final CurrentCaller currentCaller;
    private final CatalogService catalog;
    private final AliasService aliases;
    private final DownloadService downloads;
    private final ArtifactStore artifacts;

    AdapterResource(CurrentCaller currentCaller, CatalogService catalog, AliasService aliases, DownloadService downloads,
            ArtifactStore artifacts) {
        this.currentCaller = currentCaller;
        this.catalog = catalog;
        this.aliases = aliases;
        this.downloads = downloads;
        this.artifacts = artifacts;
    }

    @GET
    @Operation(summary = "Search adapter versions", description = "By default one hit per adapter: its latest version "
            + "(versions=all: every version; alias=X: the version holding alias X). Filters combine with AND. "
            + "Keyset pagination: pass nextCursor as cursor with the same sort, order and metric.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = SearchPageView.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST or INVALID_CURSOR")
    public SearchPageView search(
            @Parameter(description = "Owning team") @QueryParam("team") String team,
            @Parameter(description = "Base model name") @QueryParam("baseModel") String baseModel,
            @Parameter(description = "key (has the tag) or key:value; repeat for several (all must match)")
            @QueryParam("tag") List<String> tags,
            @Parameter(description = "Only the versions holding this alias, e.g. production") @QueryParam("alias") String alias,
            @Parameter(description = "passed or failed") @QueryParam("verdict") String verdict,
            @Parameter(description = "Metric of min/max and sort=metric, e.g. accuracy") @QueryParam("metric") String metric,
            @Parameter(description = "metric >= min (inclusive)") @QueryParam("min") Double min,
            @Parameter(description = "metric <= max (inclusive)") @QueryParam("max") Double max,
            @Parameter(description = "Text in the adapter name or the version description (case-insensitive)")
            @QueryParam("q") String text,
            @Parameter(description = "created (default), name or metric") @QueryParam("sort") String sort,
            @Parameter(description = "asc or desc (default: desc, asc for name)") @QueryParam("order") String order,
            @Parameter(description = "latest (default) or all") @QueryParam("versions") String versions,
            @Parameter(description = "1.." + CatalogService.MAX_LIMIT + ", default " + CatalogService.DEFAULT_LIMIT)
            @QueryParam("limit") Integer limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor)
            throws SQLException {
        return SearchPageView.of(catalog.search(caller(), new CatalogService.SearchParams(team, baseModel, tags, alias,
                verdict, metric, min, max, text, sort, order, versions, limit, cursor)));
    }

    @GET
    @Path("/{team}/{name}")
    @Operation(summary = "An adapter: visibility, aliases and its newest versions")
    @APIResponse(responseCode = "404", description = "No such adapter visible to the caller")
    public AdapterView adapter(@PathParam("team") String team, @PathParam("name") String name) throws SQLException {
        return AdapterView.of(catalog.adapter(caller(), team, name));
    }

    @GET
    @Path("/{team}/{name}/versions/{version}")
    @Operation(summary = "A version with its full lineage", description = "version: a number (3 or v3) or an alias "
            + "(production). Lineage: job, base model + checksum, dataset version + checksums, LoRA config, "
            + "hyperparameters, loss curve, evaluation metrics, baseline, every threshold result, artifact files.")
    public VersionView version(@PathParam("team") String team, @PathParam("name") String name,
            @PathParam("version") String version) throws SQLException {
        return VersionView.of(catalog.version(caller(), team, name, version));
    }

    @GET
    @Path("/{team}/{name}/versions/{version}/download")
    @Produces({ZIP, MediaType.APPLICATION_JSON})
    @Operation(summary = "Download a version as a zip of its PEFT directory", description = "Every file is verified "
            + "against its SHA-256 before the zip starts streaming; the zip holds <team>-<name>-v<N>/ with the adapter "
            + "files, README.md (model card) and SHA256SUMS.")
    @APIResponse(responseCode = "200", description = "The zip (streamed)",
            content = @Content(mediaType = ZIP, schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "409", description = "ARTIFACT_UNAVAILABLE: the files were not usable at registration")
    @APIResponse(responseCode = "500", description = "ARTIFACT_CORRUPT / ARTIFACT_MISSING: a stored file fails its "
            + "checksum or is gone; nothing is sent")
    public Response download(@PathParam("team") String team, @PathParam("name") String name,
            @PathParam("version") String version) throws SQLException, IOException {
        DownloadService.Archive archive = downloads.prepare(caller(), team, name, version);
        StreamingOutput body = out -> downloads.write(archive, out);
        return Response.ok(body, ZIP)
                .header("Content-Disposition", "attachment; filename=\"" + archive.fileName() + "\"")
                .header("X-Adapter-Ref", Names.ref(team, name, archive.version().summary().version()))
                .header("X-Manifest-Sha256", archive.version().summary().manifestSha256())
                .build();
    }

    @GET
    @Path("/{team}/{name}/versions/{version}/report")
    @Operation(summary = "The version's full evaluation report (JSON from the evaluator), checksum verified")
    @APIResponse(responseCode = "404", description = "No such version, or it has no report")
    public Response report(@PathParam("team") String team, @PathParam("name") String name,
            @PathParam("version") String version) throws SQLException, IOException {
        VersionRecord record = catalog.version(caller(), team, name, version);
        if (!record.registered().getLineage().hasEvaluationReport()) {
            throw ApiException.notFound(Names.ref(team, name, record.summary().version()) + " has no evaluation "
                    + "report");
        }
        BlobRef report = record.registered().getLineage().getEvaluationReport();
        if (report.getSizeBytes() > MAX_REPORT_BYTES) {
            throw ApiException.conflict("REPORT_TOO_LARGE", "The report has " + report.getSizeBytes() + " bytes");
        }
        byte[] bytes;
        try (InputStream in = artifacts.open(report)) {
            bytes = in.readAllBytes(); // verified at the end of the stream, before anything is sent
        } catch (BlobIntegrityException e) {
            throw new ApiException(500, "ARTIFACT_CORRUPT", "The evaluation report fails its checksum: "
                    + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new ApiException(500, "ARTIFACT_MISSING", "The evaluation report is missing from the blob store");
        } catch (IllegalArgumentException e) {
            throw new ApiException(500, "ARTIFACT_MISSING", "The evaluation report cannot be read: "
                    + e.getMessage());
        }
        return Response.ok(bytes, report.getMediaType().isEmpty() ? MediaType.APPLICATION_JSON : report.getMediaType())
                .header("X-Checksum-Sha256", report.getSha256()).build();
    }

    @GET
    @Path("/{team}/{name}/compare")
    @Operation(summary = "Compare two versions: differing settings, metric deltas (b - a), both loss curves")
    public ComparisonView compare(@PathParam("team") String team, @PathParam("name") String name,
            @Parameter(description = "Version (number or alias)") @QueryParam("a") String a,
            @Parameter(description = "Version (number or alias)") @QueryParam("b") String b) throws SQLException {
        return ComparisonView.of(catalog.compare(caller(), team, name, a, b));
    }

    @PUT
    @Path("/{team}/{name}/aliases/{alias}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Point an alias at a version", description = "Members move aliases to versions that PASSED "
            + "their gate; production needs a maintainer. A version that did not pass needs a maintainer AND an "
            + "overrideReason (recorded). Audited and published as AliasChanged.")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AliasChangeView.class)))
    @APIResponse(responseCode = "403", description = "FORBIDDEN: not a member (shared adapters are read-only), or "
            + "production without the maintainer role")
    @APIResponse(responseCode = "409", description = "VERDICT_NOT_PASSED (no override allowed or no reason given), "
            + "ARTIFACT_UNAVAILABLE")
    public AliasChangeView putAlias(@PathParam("team") String team, @PathParam("name") String name,
            @PathParam("alias") String alias, AliasRequest request) throws SQLException {
        if (request == null || request.version() == null) {
            throw ApiException.badRequest("INVALID_REQUEST", "Body required: {\"version\": N, "
                    + "\"overrideReason\": \"...\" (only to override a failed gate)}");
        }
        AliasService.Change change = aliases.move(caller(), team, name, alias, request.version(),
                request.overrideReason());
        return new AliasChangeView(team, name, alias, change.fromVersion(), change.toVersion(), change.overridden(),
                change.changed());
    }

    @DELETE
    @Path("/{team}/{name}/aliases/{alias}")
    @Operation(summary = "Remove an alias (members; production: maintainers). Audited and published as AliasChanged")
    public AliasChangeView deleteAlias(@PathParam("team") String team, @PathParam("name") String name,
            @PathParam("alias") String alias) throws SQLException {
        AliasService.Change change = aliases.remove(caller(), team, name, alias);
        return new AliasChangeView(team, name, alias, change.fromVersion(), null, false, change.changed());
    }

    @PUT
    @Path("/{team}/{name}/visibility")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Share an adapter org-wide (ORG, read-only to other teams) or make it PRIVATE (maintainers)")
    public VisibilityView visibility(@PathParam("team") String team, @PathParam("name") String name,
            VisibilityRequest request) throws SQLException {
        String visibility = request == null || request.visibility() == null ? ""
                : request.visibility().strip().toUpperCase(Locale.ROOT);
        if (!visibility.equals(AdapterRow.PRIVATE) && !visibility.equals(AdapterRow.ORG)) {
            throw ApiException.badRequest("INVALID_REQUEST", "visibility must be PRIVATE or ORG");
        }
        return new VisibilityView(team, name, aliases.setVisibility(caller(), team, name, visibility));
    }

    @GET
    @Path("/{team}/{name}/audit")
    @Operation(summary = "Every alias and visibility change of the adapter, newest first")
    public List<AuditView> audit(@PathParam("team") String team, @PathParam("name") String name,
            @QueryParam("limit") @DefaultValue("100") int limit) throws SQLException {
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("INVALID_REQUEST", "limit must be 1..1000");
        }
        return catalog.audit(caller(), team, name, limit).stream().map(AuditView::of).toList();
    }

    private Caller caller() {
        return currentCaller.get();
    }
}
