package org.lorafoundry.registry.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.registry.persistence.SearchQuery;
import org.lorafoundry.registry.persistence.SearchQuery.After;

/**
 * The opaque {@code cursor} of the search: base64url of a small JSON object holding the sort order and the sort key of
 * the last row of the page. A cursor is only valid with the same {@code sort}, {@code order} and {@code metric}.
 */
final class SearchCursor {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SearchCursor() {
    }

    static String encode(SearchQuery query, After after) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("s", query.sort().name());
        json.put("d", query.descending());
        json.put("m", query.metric());
        switch (query.sort()) {
            case CREATED -> {
                json.put("t", after.createdAt().getEpochSecond());
                json.put("ns", after.createdAt().getNano());
            }
            case NAME -> {
                json.put("n", after.name());
                json.put("tm", after.team());
                json.put("v", after.version());
            }
            case METRIC -> json.put("x", after.metricValue());
            default -> throw new IllegalStateException();
        }
        json.put("i", after.id());
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MAPPER.writeValueAsBytes(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws ApiException INVALID_CURSOR when it is not one of ours or belongs to another sort order */
    static After decode(String cursor, SearchQuery.Sort sort, boolean descending, String metric) {
        JsonNode json;
        try {
            json = MAPPER.readTree(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw invalid("it is not a cursor this API returned");
        }
        if (json == null || !json.isObject() || !sort.name().equals(json.path("s").asText())
                || json.path("d").asBoolean() != descending
                || !java.util.Objects.equals(metric, json.path("m").isNull() ? null : json.path("m").asText(null))) {
            throw invalid("it belongs to another sort, order or metric; repeat the query that returned it");
        }
        long id = json.path("i").asLong(-1);
        return switch (sort) {
            case CREATED -> new After(Instant.ofEpochSecond(json.path("t").asLong(), json.path("ns").asLong()), null,
                    null, 0, 0, id);
            case NAME -> new After(null, json.path("n").asText(), json.path("tm").asText(), json.path("v").asInt(), 0, id);
            case METRIC -> new After(null, null, null, 0, json.path("x").asDouble(), id);
        };
    }

    private static ApiException invalid(String why) {
        return ApiException.badRequest("INVALID_CURSOR", "The cursor cannot be used: " + why);
    }
}
