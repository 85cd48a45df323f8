package org.lorafoundry.registry.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A catalog search: which versions, in which order, after which row.
 *
 * @param visibleTeams the caller's teams (their private adapters are visible); null = everything (an admin)
 * @param tags         {@code key} (has the tag) or {@code key:value} (has it with this value); all must match
 * @param verdict      PASSED or FAILED, or null
 * @param metric       name of the metric a range filter and/or {@code sort=metric} is about
 * @param text         matched (case-insensitive substring) against the adapter name and the version description
 * @param scope        which versions: the latest of each adapter, or all (an alias filter selects the alias holder)
 * @param after        where the previous page ended, or null for the first page
 */
public record SearchQuery(Set<String> visibleTeams, String team, String baseModel, List<String> tags, String alias,
        String verdict, String metric, Double min, Double max, String text, Sort sort, boolean descending, Scope scope,
        int limit, After after) {

    public enum Sort {
        CREATED, NAME, METRIC
    }

    public enum Scope {
        LATEST, ALL
    }

    /** The sort key of the last row of a page (only the fields of the query's sort are set). */
    public record After(Instant createdAt, String name, String team, int version, double metricValue, long id) {
    }
}
