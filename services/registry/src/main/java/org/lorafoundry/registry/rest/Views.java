package org.lorafoundry.registry.rest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.lorafoundry.proto.v1.AdapterLineage;
import org.lorafoundry.proto.v1.BaseModelRegistered;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.registry.domain.ConfigDiff;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.domain.ProtoJson;
import org.lorafoundry.registry.persistence.AdapterRow;
import org.lorafoundry.registry.persistence.AliasRow;
import org.lorafoundry.registry.persistence.AuditEntry;
import org.lorafoundry.registry.persistence.BaseModelAudit;
import org.lorafoundry.registry.persistence.BaseModelRecord;
import org.lorafoundry.registry.persistence.CatalogRepository.SearchHit;
import org.lorafoundry.registry.persistence.VersionRecord;
import org.lorafoundry.registry.persistence.VersionSummary;
import org.lorafoundry.registry.service.CatalogService;

/** The JSON shapes of the REST API. Lineage parts are the protobuf JSON mapping of foundry.v1 messages. */
public final class Views {

    private Views() {
    }

    // ------------------------------------------------------------------------------------------------ requests

    @Schema(name = "BaseModelRequest", description = "A Hugging Face model directory to register")
    public record BaseModelRequest(
            @Schema(description = "Unique name, e.g. tiny-llama-1m", required = true) String name,
            @Schema(description = "file:// URI of the model directory (config.json, tokenizer.json, *.safetensors)",
                    required = true) String location,
            String description) {
    }

    @Schema(name = "AliasRequest")
    public record AliasRequest(
            @Schema(description = "Version the alias points at", required = true) Integer version,
            @Schema(description = "Required (maintainers only) to point an alias at a version that did not pass its "
                    + "gate; recorded in the audit trail and the AliasChanged event") String overrideReason) {
    }

    @Schema(name = "VisibilityRequest")
    public record VisibilityRequest(@Schema(description = "PRIVATE (the team only) or ORG (everyone, read-only)",
            required = true) String visibility) {
    }

    // ------------------------------------------------------------------------------------------------ base models

    @Schema(name = "BaseModel")
    public record BaseModelView(String name, String architecture, String locationUri, String sha256,
            long parameterCount, String description, JsonNode config, List<FileView> files, long totalSizeBytes,
            String registeredBy, Instant createdAt, Instant updatedAt) {

        static BaseModelView of(BaseModelRecord record) {
            BaseModelRegistered model = record.registered();
            return new BaseModelView(model.getName(), model.getArchitecture(), model.getLocationUri(), model.getSha256(),
                    model.getParameterCount(), model.getDescription(), ProtoJson.tree(model.getConfig()),
                    model.getFiles().getFilesList().stream().map(FileView::of).toList(),
                    model.getFiles().getTotalSizeBytes(), model.getRegisteredBy(), record.createdAt(), record.updatedAt());
        }
    }

    @Schema(name = "BaseModelDetail", description = "A base model and its registration history (oldest first)")
    public record BaseModelDetailView(BaseModelView baseModel, List<BaseModelAuditView> history) {
    }

    @Schema(name = "BaseModelAudit")
    public record BaseModelAuditView(String action, String fromSha256, String toSha256, String fromLocation,
            String toLocation, String actor, Instant at) {

        static BaseModelAuditView of(BaseModelAudit audit) {
            return new BaseModelAuditView(audit.action(), audit.fromSha256(), audit.toSha256(), audit.fromLocation(),
                    audit.toLocation(), audit.actor(), audit.at());
        }
    }

    @Schema(name = "BaseModelRegistration", description = "outcome: created (201), existing (200: same checksum, "
            + "nothing changed) or replaced (200, ?replace=true)")
    public record BaseModelRegistrationView(String outcome, BaseModelView baseModel) {
    }

    @Schema(name = "File", description = "A file of a directory with its checksum")
    public record FileView(String path, long sizeBytes, String sha256, String uri) {

        static FileView of(BlobRef file) {
            return new FileView(file.getRelativePath(), file.getSizeBytes(), file.getSha256(), file.getUri());
        }
    }

    // ------------------------------------------------------------------------------------------------ adapters

    @Schema(name = "AdapterVersionSummary", description = "A version's searchable facts")
    public record VersionSummaryView(String ref, String team, String name, int version, int latestVersion,
            boolean latest, String visibility, String verdict, String jobId, BaseModelRefView baseModel,
            DatasetRefView dataset, String description, Map<String, String> tags, Map<String, Double> metrics,
            List<String> aliases, ArtifactSummaryView artifact, String createdBy, Instant createdAt) {

        static VersionSummaryView of(VersionSummary v) {
            return new VersionSummaryView(Names.ref(v.team(), v.name(), v.version()), v.team(), v.name(), v.version(),
                    v.latestVersion(), v.version() == v.latestVersion(), v.visibility(), v.verdict(), v.jobId(),
                    new BaseModelRefView(v.baseModelName(), v.baseModelSha256()),
                    new DatasetRefView(v.datasetId(), v.datasetName(), v.datasetVersion()), v.description(), v.tags(),
                    v.metrics(), v.aliases(), new ArtifactSummaryView(v.manifestSha256(), v.artifactSize(),
                            v.artifactProblem() == null, v.artifactProblem()),
                    v.createdBy(), v.createdAt());
        }
    }

    @Schema(name = "BaseModelRef")
    public record BaseModelRefView(String name, String sha256) {
    }

    @Schema(name = "DatasetRef")
    public record DatasetRefView(String datasetId, String name, int version) {
    }

    @Schema(name = "ArtifactSummary", description = "downloadable false with the problem when the adapter files could "
            + "not be copied and verified at registration")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ArtifactSummaryView(String manifestSha256, long sizeBytes, boolean downloadable, String problem) {
    }

    @Schema(name = "SearchHit", description = "A version found by the search; metricValue is the value of the "
            + "metric the search filtered or sorted by")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SearchHitView(VersionSummaryView version, Double metricValue) {

        static SearchHitView of(SearchHit hit) {
            return new SearchHitView(VersionSummaryView.of(hit.version()), hit.metricValue());
        }
    }

    @Schema(name = "SearchPage", description = "One page; nextCursor (opaque) fetches the next, null on the last page")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SearchPageView(List<SearchHitView> items, String nextCursor, int limit) {

        static SearchPageView of(CatalogService.Page page) {
            return new SearchPageView(page.items().stream().map(SearchHitView::of).toList(), page.nextCursor(),
                    page.limit());
        }
    }

    @Schema(name = "Alias")
    public record AliasView(String alias, int version, String verdict, String updatedBy, Instant updatedAt) {

        static AliasView of(AliasRow row) {
            return new AliasView(row.alias(), row.version(), row.verdict(), row.updatedBy(), row.updatedAt());
        }
    }

    @Schema(name = "Adapter", description = "An adapter team/name: visibility, aliases, newest versions first (at most "
            + CatalogService.VERSIONS_LISTED + "; versionCount counts all)")
    public record AdapterView(String team, String name, String visibility, int latestVersion, long versionCount,
            List<AliasView> aliases, List<VersionSummaryView> versions, Instant createdAt, Instant updatedAt) {

        static AdapterView of(CatalogService.AdapterDetail detail) {
            AdapterRow a = detail.adapter();
            return new AdapterView(a.team(), a.name(), a.visibility(), a.latestVersion(), detail.versionCount(),
                    detail.aliases().stream().map(AliasView::of).toList(),
                    detail.versions().stream().map(VersionSummaryView::of).toList(), a.createdAt(), a.updatedAt());
        }
    }

    @Schema(name = "AdapterVersion", description = "A version with its full lineage. lora, hyperparameters, lossCurve, "
            + "thresholdResults... are the protobuf JSON mapping of foundry.v1 (spec.proto, common.proto, "
            + "evaluation.proto); lineage is the whole foundry.v1.AdapterLineage")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionView(VersionSummaryView version, String evaluationSummary, JsonNode baseline,
            Map<String, Double> candidateMetrics, Map<String, Double> baselineMetrics, JsonNode thresholdResults,
            JsonNode evaluationReport, JsonNode lora, JsonNode hyperparameters, JsonNode lossCurve,
            Map<String, Double> finalTrainingMetrics, JsonNode artifact, Map<String, Object> promotion,
            JsonNode lineage) {

        static VersionView of(VersionRecord record) {
            AdapterLineage lineage = record.registered().getLineage();
            EvaluationCompleted source = record.sourceEvent();
            return new VersionView(VersionSummaryView.of(record.summary()),
                    source == null ? null : source.getSummary(), ProtoJson.tree(lineage.getBaseline()),
                    lineage.getCandidateMetricsMap(), lineage.getBaselineMetricsMap(),
                    ProtoJson.tree(org.lorafoundry.proto.v1.AdapterLineage.newBuilder()
                            .addAllThresholdResults(lineage.getThresholdResultsList()).build()).path("thresholdResults"),
                    lineage.hasEvaluationReport() ? ProtoJson.tree(lineage.getEvaluationReport()) : null,
                    ProtoJson.tree(lineage.getSpec().getLora()), ProtoJson.tree(lineage.getSpec().getHyperparameters()),
                    curve(lineage), lineage.getFinalTrainingMetricsMap(), ProtoJson.tree(record.artifact()),
                    record.promotion(), ProtoJson.tree(lineage));
        }
    }

    /** A loss curve as a JSON array (empty when there is none). */
    static JsonNode curve(AdapterLineage lineage) {
        JsonNode curve = ProtoJson.tree(AdapterLineage.newBuilder().addAllLossCurve(lineage.getLossCurveList()).build())
                .path("lossCurve");
        return curve.isMissingNode() ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode() : curve;
    }

    @Schema(name = "Comparison", description = "Two versions: settings that differ (dotted paths of base model, "
            + "dataset, LoRA config, hyperparameters, evaluation spec, gate policy), every metric with b - a, both curves")
    public record ComparisonView(VersionSummaryView a, VersionSummaryView b, List<SettingView> settings,
            List<CatalogService.MetricDelta> metrics, CurvesView curves) {

        static ComparisonView of(CatalogService.Comparison comparison) {
            return new ComparisonView(VersionSummaryView.of(comparison.a().summary()),
                    VersionSummaryView.of(comparison.b().summary()),
                    comparison.settings().stream().map(SettingView::of).toList(), comparison.metrics(),
                    new CurvesView(curve(comparison.a().registered().getLineage()),
                            curve(comparison.b().registered().getLineage())));
        }
    }

    @Schema(name = "SettingDifference", description = "null on a side that does not have the setting")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SettingView(String path, JsonNode a, JsonNode b) {

        static SettingView of(ConfigDiff.Entry entry) {
            return new SettingView(entry.path(), entry.a(), entry.b());
        }
    }

    @Schema(name = "Curves")
    public record CurvesView(JsonNode a, JsonNode b) {
    }

    @Schema(name = "AliasChange", description = "changed false when the alias already pointed there (nothing recorded)")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record AliasChangeView(String team, String name, String alias, Integer fromVersion, Integer toVersion,
            boolean overridden, boolean changed) {
    }

    @Schema(name = "Visibility")
    public record VisibilityView(String team, String name, String visibility) {
    }

    @Schema(name = "AuditEntry", description = "action: ALIAS_SET, ALIAS_REMOVED or VISIBILITY_CHANGED")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditView(long id, String action, String alias, Integer fromVersion, Integer toVersion,
            boolean overridden, String reason, String comment, String fromValue, String toValue, String actor,
            Instant at) {

        static AuditView of(AuditEntry entry) {
            return new AuditView(entry.id(), entry.action(), entry.alias(), entry.fromVersion(), entry.toVersion(),
                    entry.overridden(), entry.reason(), entry.comment(), entry.fromValue(), entry.toValue(),
                    entry.actor(), entry.at());
        }
    }
}
