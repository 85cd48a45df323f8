package org.lorafoundry.cli.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A URL query string built from parameters; those without a value are left out, repeated names are kept. */
public final class Query {

    private final List<Map.Entry<String, String>> parameters = new ArrayList<>();

    public static Query of() {
        return new Query();
    }

    public Query with(String name, Object value) {
        if (value != null && !value.toString().isBlank()) {
            parameters.add(Map.entry(name, value.toString()));
        }
        return this;
    }

    public Query withEach(String name, List<String> values) {
        values.forEach(value -> with(name, value));
        return this;
    }

    /** {@code ?a=1&b=2}, or the empty string. */
    @Override
    public String toString() {
        if (parameters.isEmpty()) {
            return "";
        }
        return parameters.stream().map(p -> encode(p.getKey()) + "=" + encode(p.getValue()))
                .collect(Collectors.joining("&", "?", ""));
    }

    /** One path segment, percent-encoded (a job id or a name never changes the path's shape). */
    public static String segment(String value) {
        return encode(value).replace("+", "%20");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
