package org.lorafoundry.registry.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.registry.persistence.SearchQuery.After;
import org.lorafoundry.registry.persistence.SearchQuery.Scope;

/**
 * The catalog search: one SQL statement per page, keyset-paginated (the page after a row is found by the sort key of
 * that row, never by an offset), so a deep page costs what the first one does. Every filter and sort order is backed
 * by an index of V1__registry.sql.
 */
@ApplicationScoped
public class CatalogRepository {

    private final AdapterRepository adapters;

    CatalogRepository(AdapterRepository adapters) {
        this.adapters = adapters;
    }

    /** One page plus one row: the caller knows there is a next page when it gets {@code limit + 1} rows. */
    public List<SearchHit> search(Connection tx, SearchQuery query) throws SQLException {
        Statement statement = statement(tx, query);
        List<VersionSummary> rows = new ArrayList<>();
        List<Double> metricValues = new ArrayList<>();
        try (PreparedStatement select = statement.prepare(tx, "")) {
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.add(AdapterRepository.summary(row));
                    double value = row.getDouble("metric_value");
                    metricValues.add(row.wasNull() ? null : value);
                }
            }
        }
        List<VersionSummary> filled = adapters.withAliases(tx, rows);
        List<SearchHit> hits = new ArrayList<>(filled.size());
        for (int i = 0; i < filled.size(); i++) {
            hits.add(new SearchHit(filled.get(i), metricValues.get(i)));
        }
        return hits;
    }

    /**
     * The database's own execution time of a search's statement ({@code explain analyze}), in milliseconds, and its
     * plan: how the search performance is measured without the HTTP and JSON layers (SearchIT, README).
     */
    public Explained explain(Connection tx, SearchQuery query) throws SQLException {
        StringBuilder plan = new StringBuilder();
        double executionMillis = -1;
        try (PreparedStatement explain = statement(tx, query).prepare(tx, "explain (analyze, buffers off) ");
             ResultSet row = explain.executeQuery()) {
            while (row.next()) {
                String line = row.getString(1);
                plan.append(line).append('\n');
                if (line.startsWith("Execution Time:")) {
                    executionMillis = Double.parseDouble(line.replaceAll("[^0-9.]", ""));
                }
            }
        }
        return new Explained(executionMillis, plan.toString());
    }

    /** See {@link #explain}. */
    public record Explained(double executionMillis, String plan) {
    }

    /** The SQL of a search and its parameters, in order. */
    private record Statement(String sql, List<Object> parameters) {

        PreparedStatement prepare(Connection tx, String prefix) throws SQLException {
            PreparedStatement select = tx.prepareStatement(prefix + sql);
            for (int i = 0; i < parameters.size(); i++) {
                Object parameter = parameters.get(i);
                if (parameter instanceof OffsetDateTime time) {
                    select.setObject(i + 1, time, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    select.setObject(i + 1, parameter);
                }
            }
            return select;
        }
    }

    private Statement statement(Connection tx, SearchQuery query) throws SQLException {
        StringBuilder sql = new StringBuilder("select ").append(AdapterRepository.SUMMARY_COLUMNS);
        List<Object> parameters = new ArrayList<>();
        boolean byMetric = query.metric() != null;
        sql.append(byMetric ? ", m.value as metric_value" : ", null::float8 as metric_value");
        sql.append(" from adapter_versions v join adapters a on a.team = v.team and a.name = v.name");
        if (query.alias() != null) {
            sql.append(" join adapter_aliases al on al.team = v.team and al.name = v.name and al.version = v.version"
                    + " and al.alias = ?");
            parameters.add(query.alias());
        }
        if (byMetric) {
            sql.append(" join adapter_version_metrics m on m.version_id = v.id and m.metric = ?");
            parameters.add(query.metric());
        }
        sql.append(" where true");
        if (query.visibleTeams() != null) {
            sql.append(" and (v.team = any(?) or a.visibility = 'ORG')");
            parameters.add(tx.createArrayOf("text", query.visibleTeams().toArray()));
        }
        if (query.alias() == null && query.scope() == Scope.LATEST) {
            sql.append(" and v.is_latest");
        }
        if (query.team() != null) {
            sql.append(" and v.team = ?");
            parameters.add(query.team());
        }
        if (query.baseModel() != null) {
            sql.append(" and v.base_model_name = ?");
            parameters.add(query.baseModel());
        }
        for (String tag : query.tags()) {
            int colon = tag.indexOf(':');
            if (colon < 0) {
                sql.append(" and v.tags ?? ?");
                parameters.add(tag);
            } else {
                sql.append(" and v.tags @> cast(? as jsonb)");
                parameters.add(Json.write(Map.of(tag.substring(0, colon), tag.substring(colon + 1))));
            }
        }
        if (query.verdict() != null) {
            sql.append(" and v.verdict = ?");
            parameters.add(query.verdict());
        }
        if (query.min() != null) {
            sql.append(" and m.value >= ?");
            parameters.add(query.min());
        }
        if (query.max() != null) {
            sql.append(" and m.value <= ?");
            parameters.add(query.max());
        }
        if (query.text() != null) {
            sql.append(" and (v.name ilike ? escape '\\' or v.description ilike ? escape '\\')");
            String pattern = "%" + escapeLike(query.text()) + "%";
            parameters.add(pattern);
            parameters.add(pattern);
        }
        String direction = query.descending() ? "desc" : "asc";
        String comparison = query.descending() ? "<" : ">";
        After after = query.after();
        switch (query.sort()) {
            case CREATED -> {
                if (after != null) {
                    sql.append(" and (v.created_at, v.id) ").append(comparison).append(" (?, ?)");
                    parameters.add(OffsetDateTime.ofInstant(after.createdAt(), ZoneOffset.UTC));
                    parameters.add(after.id());
                }
                sql.append(" order by v.created_at ").append(direction).append(", v.id ").append(direction);
            }
            case NAME -> {
                if (after != null) {
                    sql.append(" and (v.name, v.team, v.version) ").append(comparison).append(" (?, ?, ?)");
                    parameters.add(after.name());
                    parameters.add(after.team());
                    parameters.add(after.version());
                }
                sql.append(" order by v.name ").append(direction).append(", v.team ").append(direction)
                        .append(", v.version ").append(direction);
            }
            case METRIC -> {
                if (!byMetric) {
                    throw new IllegalArgumentException("sort by metric needs a metric");
                }
                if (after != null) {
                    sql.append(" and (m.value, v.id) ").append(comparison).append(" (?, ?)");
                    parameters.add(after.metricValue());
                    parameters.add(after.id());
                }
                sql.append(" order by m.value ").append(direction).append(", v.id ").append(direction);
            }
            default -> throw new IllegalStateException(query.sort().name());
        }
        sql.append(" limit ?");
        parameters.add(query.limit() + 1);
        return new Statement(sql.toString(), parameters);
    }

    /** A row of a search and the value of the metric it was filtered or sorted by. */
    public record SearchHit(VersionSummary version, Double metricValue) {

        public After after() {
            return new After(version.createdAt(), version.name(), version.team(), version.version(),
                    metricValue == null ? 0 : metricValue, version.id());
        }
    }

    static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
