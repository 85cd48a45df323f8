package org.lorafoundry.registry.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.persistence.Transactions;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.proto.v1.AdapterLineage;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.registry.domain.ConfigDiff;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.domain.ProtoJson;
import org.lorafoundry.registry.persistence.AdapterRepository;
import org.lorafoundry.registry.persistence.AdapterRow;
import org.lorafoundry.registry.persistence.AliasRow;
import org.lorafoundry.registry.persistence.AuditEntry;
import org.lorafoundry.registry.persistence.CatalogRepository;
import org.lorafoundry.registry.persistence.CatalogRepository.SearchHit;
import org.lorafoundry.registry.persistence.SearchQuery;
import org.lorafoundry.registry.persistence.VersionRecord;
import org.lorafoundry.registry.persistence.VersionSummary;

/**
 * The read side of the catalog, always through the caller's eyes: another team's private adapter does not exist
 * (404), an org-visible one is readable by every authenticated caller.
 */
@ApplicationScoped
public class CatalogService {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 200;
    /** Versions listed with an adapter; older ones are reached by search (versions=all) or by number. */
    public static final int VERSIONS_LISTED = 100;

    /** The raw parameters of {@code GET /adapters}. */
    public record SearchParams(String team, String baseModel, List<String> tags, String alias, String verdict,
            String metric, Double min, Double max, String text, String sort, String order, String versions,
            Integer limit, String cursor) {
    }

    /** @param nextCursor null on the last page */
    public record Page(List<SearchHit> items, String nextCursor, int limit) {
    }

    /** An adapter: its row, aliases and newest versions. */
    public record AdapterDetail(AdapterRow adapter, List<AliasRow> aliases, List<VersionSummary> versions,
            long versionCount) {
    }

    private final Transactions transactions;
    private final AdapterRepository adapters;
    private final CatalogRepository catalog;

    CatalogService(Transactions transactions, AdapterRepository adapters, CatalogRepository catalog) {
        this.transactions = transactions;
        this.adapters = adapters;
        this.catalog = catalog;
    }

    public Page search(Caller caller, SearchParams params) throws SQLException {
        SearchQuery query = query(caller, params);
        List<SearchHit> hits = transactions.inTransaction(tx -> catalog.search(tx, query));
        String next = null;
        if (hits.size() > query.limit()) {
            hits = hits.subList(0, query.limit());
            SearchHit last = hits.get(hits.size() - 1);
            next = SearchCursor.encode(query, last.after());
        }
        return new Page(List.copyOf(hits), next, query.limit());
    }

    /** The database's execution time and plan of a search's page query (for measurements, see SearchIT). */
    public CatalogRepository.Explained explain(Caller caller, SearchParams params) throws SQLException {
        SearchQuery query = query(caller, params);
        return transactions.inTransaction(tx -> catalog.explain(tx, query));
    }

    public AdapterDetail adapter(Caller caller, String team, String name) throws SQLException {
        return transactions.inTransaction(tx -> {
            AdapterRow adapter = visible(tx, caller, team, name);
            return new AdapterDetail(adapter, adapters.aliases(tx, team, name),
                    adapters.listVersions(tx, team, name, VERSIONS_LISTED), adapters.countVersions(tx, team, name));
        });
    }

    /** A version by number ({@code 3}, {@code v3}) or by alias ({@code production}). */
    public VersionRecord version(Caller caller, String team, String name, String version) throws SQLException {
        return transactions.inTransaction(tx -> {
            visible(tx, caller, team, name);
            return resolve(tx, team, name, version);
        });
    }

    /** Two versions of one adapter side by side: settings that differ and metric deltas (b - a). */
    public Comparison compare(Caller caller, String team, String name, String a, String b) throws SQLException {
        if (a == null || b == null || a.isBlank() || b.isBlank()) {
            throw ApiException.badRequest("INVALID_REQUEST", "give two versions: ?a=1&b=2 (numbers or aliases)");
        }
        return transactions.inTransaction(tx -> {
            visible(tx, caller, team, name);
            VersionRecord left = resolve(tx, team, name, a.strip());
            VersionRecord right = resolve(tx, team, name, b.strip());
            return new Comparison(left, right, ConfigDiff.diff(settings(left), settings(right)),
                    deltas(metrics(left), metrics(right)));
        });
    }

    /** The result of {@link #compare}. */
    public record Comparison(VersionRecord a, VersionRecord b, List<ConfigDiff.Entry> settings,
            List<MetricDelta> metrics) {
    }

    /** One metric of both versions; delta = b - a, relative = delta / |a| (null where undefined). */
    public record MetricDelta(String metric, Double a, Double b, Double delta, Double relative) {
    }

    /** What was asked for: base model, dataset, LoRA config, hyperparameters, evaluation spec and gate policy. */
    static JsonNode settings(VersionRecord version) {
        AdapterLineage lineage = version.registered().getLineage();
        JobSpec spec = lineage.getSpec();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.putObject("baseModel").put("name", version.summary().baseModelName())
                .put("sha256", version.summary().baseModelSha256());
        node.putObject("dataset").put("datasetId", version.summary().datasetId())
                .put("name", version.summary().datasetName()).put("version", version.summary().datasetVersion());
        node.set("lora", ProtoJson.tree(spec.getLora()));
        node.set("hyperparameters", ProtoJson.tree(spec.getHyperparameters()));
        node.set("evaluation", ProtoJson.tree(spec.getEvaluation()));
        node.set("gatePolicy", ProtoJson.tree(spec.getGatePolicy()));
        return node;
    }

    /** Evaluation metrics by name, then final training metrics as {@code training.<name>}. */
    static Map<String, Double> metrics(VersionRecord version) {
        AdapterLineage lineage = version.registered().getLineage();
        Map<String, Double> metrics = new TreeMap<>(lineage.getCandidateMetricsMap());
        lineage.getFinalTrainingMetricsMap().forEach((metric, value) -> metrics.put("training." + metric, value));
        return metrics;
    }

    static List<MetricDelta> deltas(Map<String, Double> a, Map<String, Double> b) {
        TreeSet<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        List<MetricDelta> deltas = new ArrayList<>();
        for (String metric : names) {
            Double x = a.get(metric);
            Double y = b.get(metric);
            Double delta = x == null || y == null ? null : y - x;
            Double relative = delta == null || x == 0 || !Double.isFinite(delta) ? null : delta / Math.abs(x);
            deltas.add(new MetricDelta(metric, x, y, delta, relative));
        }
        return deltas;
    }

    public List<AuditEntry> audit(Caller caller, String team, String name, int limit) throws SQLException {
        return transactions.inTransaction(tx -> {
            visible(tx, caller, team, name);
            return adapters.auditTrail(tx, team, name, limit);
        });
    }

    /** The adapter when the caller may see it; 404 otherwise (missing and invisible look the same). */
    AdapterRow visible(Connection tx, Caller caller, String team, String name) throws SQLException {
        return adapters.find(tx, team, name)
                .filter(adapter -> adapter.latestVersion() > 0)
                .filter(adapter -> caller.canSee(team) || adapter.orgVisible())
                .orElseThrow(() -> ApiException.notFound("No adapter " + team + "/" + name));
    }

    VersionRecord resolve(Connection tx, String team, String name, String version) throws SQLException {
        Optional<Integer> number = versionNumber(version);
        if (number.isEmpty() && Names.isAlias(version)) {
            number = adapters.aliasVersion(tx, team, name, version);
            if (number.isEmpty()) {
                throw ApiException.notFound(team + "/" + name + " has no version or alias '" + version + "'");
            }
        }
        if (number.isEmpty()) {
            throw ApiException.notFound("No version '" + version + "' of " + team + "/" + name);
        }
        int found = number.get();
        return adapters.findVersion(tx, team, name, found)
                .orElseThrow(() -> ApiException.notFound("No version " + Names.ref(team, name, found)));
    }

    static Optional<Integer> versionNumber(String text) {
        String digits = text.startsWith("v") ? text.substring(1) : text;
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        int value = Integer.parseInt(digits);
        return value > 0 ? Optional.of(value) : Optional.empty();
    }

    // ------------------------------------------------------------------------------------------------ parameters

    static SearchQuery query(Caller caller, SearchParams p) {
        List<String> problems = new ArrayList<>();
        SearchQuery.Sort sort = switch (blank(p.sort()) ? "created" : p.sort().toLowerCase(Locale.ROOT)) {
            case "created" -> SearchQuery.Sort.CREATED;
            case "name" -> SearchQuery.Sort.NAME;
            case "metric" -> SearchQuery.Sort.METRIC;
            default -> {
                problems.add("sort must be created, name or metric");
                yield SearchQuery.Sort.CREATED;
            }
        };
        boolean descending = switch (blank(p.order()) ? (sort == SearchQuery.Sort.NAME ? "asc" : "desc")
                : p.order().toLowerCase(Locale.ROOT)) {
            case "asc" -> false;
            case "desc" -> true;
            default -> {
                problems.add("order must be asc or desc");
                yield true;
            }
        };
        SearchQuery.Scope scope = switch (blank(p.versions()) ? "latest" : p.versions().toLowerCase(Locale.ROOT)) {
            case "latest" -> SearchQuery.Scope.LATEST;
            case "all" -> SearchQuery.Scope.ALL;
            default -> {
                problems.add("versions must be latest or all");
                yield SearchQuery.Scope.LATEST;
            }
        };
        String verdict = null;
        if (!blank(p.verdict())) {
            verdict = switch (p.verdict().toUpperCase(Locale.ROOT)) {
                case "PASSED", "VERDICT_PASSED" -> "PASSED";
                case "FAILED", "VERDICT_FAILED", "REJECTED" -> "FAILED";
                default -> {
                    problems.add("verdict must be passed or failed");
                    yield null;
                }
            };
        }
        String metric = blank(p.metric()) ? null : p.metric().strip();
        if (metric == null && (p.min() != null || p.max() != null)) {
            problems.add("min and max need metric=<name>");
        }
        if (metric == null && sort == SearchQuery.Sort.METRIC) {
            problems.add("sort=metric needs metric=<name>");
        }
        if (p.min() != null && p.max() != null && p.min() > p.max()) {
            problems.add("min must not exceed max");
        }
        int limit = p.limit() == null ? DEFAULT_LIMIT : p.limit();
        if (limit < 1 || limit > MAX_LIMIT) {
            problems.add("limit must be 1.." + MAX_LIMIT);
        }
        List<String> tags = new ArrayList<>();
        for (String tag : p.tags() == null ? List.<String>of() : p.tags()) {
            if (!blank(tag)) {
                tags.add(tag.strip());
            }
        }
        if (!blank(p.alias()) && !Names.isAlias(p.alias())) {
            problems.add("alias '" + p.alias() + "' is not a valid alias name");
        }
        if (!problems.isEmpty()) {
            throw ApiException.badRequest("INVALID_REQUEST", String.join("; ", problems));
        }
        SearchQuery.After after = blank(p.cursor()) ? null : SearchCursor.decode(p.cursor(), sort, descending, metric);
        return new SearchQuery(caller.isAdmin() ? null : new TreeSet<>(caller.teams()), trimmed(p.team()),
                trimmed(p.baseModel()), tags, trimmed(p.alias()), verdict, metric, p.min(), p.max(), trimmed(p.text()),
                sort, descending, scope, limit, after);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static String trimmed(String value) {
        return blank(value) ? null : value.strip();
    }
}
