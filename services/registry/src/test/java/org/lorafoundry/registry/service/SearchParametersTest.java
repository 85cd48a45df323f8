package org.lorafoundry.registry.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.auth.Role;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.registry.persistence.SearchQuery;

/** Search parameters and cursors: defaults, validation, and cursors that only fit the query that made them. */
class SearchParametersTest {

    private static final Caller MEMBER = new Caller("ann", Set.of("team-a"), Set.of(Role.MEMBER));
    private static final Caller ADMIN = new Caller("root", Set.of(), Set.of(Role.ADMIN));

    @Test
    void defaultsAreLatestVersionsNewestFirst() {
        SearchQuery query = CatalogService.query(MEMBER, params(null, null, null, null, null, null, null));
        assertThat(query.sort()).isEqualTo(SearchQuery.Sort.CREATED);
        assertThat(query.descending()).isTrue();
        assertThat(query.scope()).isEqualTo(SearchQuery.Scope.LATEST);
        assertThat(query.limit()).isEqualTo(CatalogService.DEFAULT_LIMIT);
        assertThat(query.visibleTeams()).containsExactly("team-a");
        assertThat(CatalogService.query(ADMIN, params(null, null, null, null, null, null, null)).visibleTeams()).isNull();
        assertThat(CatalogService.query(MEMBER, params("name", null, null, null, null, null, null)).descending()).isFalse();
    }

    @Test
    void invalidParametersAreListedTogether() {
        assertThatThrownBy(() -> CatalogService.query(MEMBER, params("size", "up", "metric", null, 0.9, 0.1, 500)))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("sort must be created, name or metric").hasMessageContaining("order must be")
                .hasMessageContaining("min and max need metric").hasMessageContaining("min must not exceed max")
                .hasMessageContaining("limit must be 1..200");
        assertThatThrownBy(() -> CatalogService.query(MEMBER, params("metric", null, null, null, null, null, null)))
                .hasMessageContaining("sort=metric needs metric=<name>");
    }

    @Test
    void aCursorRoundTripsAndIsRefusedForAnotherSort() {
        SearchQuery query = CatalogService.query(MEMBER, params("metric", "desc", null, "accuracy", null, null, 10));
        String cursor = SearchCursor.encode(query, new SearchQuery.After(null, null, null, 0, 0.875, 42));
        SearchQuery.After after = SearchCursor.decode(cursor, SearchQuery.Sort.METRIC, true, "accuracy");
        assertThat(after.metricValue()).isEqualTo(0.875);
        assertThat(after.id()).isEqualTo(42);
        assertThatThrownBy(() -> SearchCursor.decode(cursor, SearchQuery.Sort.METRIC, false, "accuracy"))
                .isInstanceOf(ApiException.class).extracting("code").isEqualTo("INVALID_CURSOR");
        assertThatThrownBy(() -> SearchCursor.decode(cursor, SearchQuery.Sort.METRIC, true, "token_f1"))
                .extracting("code").isEqualTo("INVALID_CURSOR");
        assertThatThrownBy(() -> SearchCursor.decode("not-a-cursor!", SearchQuery.Sort.CREATED, true, null))
                .extracting("code").isEqualTo("INVALID_CURSOR");

        SearchQuery byDate = CatalogService.query(MEMBER, params(null, null, null, null, null, null, null));
        Instant at = Instant.parse("2026-11-23T17:00:00.123456Z");
        SearchQuery.After created = SearchCursor.decode(SearchCursor.encode(byDate,
                new SearchQuery.After(at, null, null, 0, 0, 7)), SearchQuery.Sort.CREATED, true, null);
        assertThat(created.createdAt()).isEqualTo(at);
        assertThat(created.id()).isEqualTo(7);
    }

    private static CatalogService.SearchParams params(String sort, String order, String versions, String metric,
            Double min, Double max, Integer limit) {
        return new CatalogService.SearchParams(null, null, List.of(), null, null, metric, min, max, null, sort, order,
                versions, limit, null);
    }
}
