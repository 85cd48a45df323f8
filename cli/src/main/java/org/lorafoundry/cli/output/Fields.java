package org.lorafoundry.cli.output;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Named values of one thing (a job, a dataset version), printed as aligned {@code name  value} lines. */
public final class Fields {

    private final List<Map.Entry<String, String>> entries = new ArrayList<>();

    public static Fields of() {
        return new Fields();
    }

    /** Adds a line; a null or blank value is left out, so absent facts print nothing rather than "null". */
    public Fields add(String name, Object value) {
        if (value != null && !value.toString().isBlank()) {
            entries.add(Map.entry(name, value.toString()));
        }
        return this;
    }

    public String render() {
        int width = entries.stream().mapToInt(entry -> entry.getKey().length()).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> entry : entries) {
            text.append(entry.getKey()).append(" ".repeat(width - entry.getKey().length() + 2))
                    .append(entry.getValue()).append('\n');
        }
        return text.toString();
    }
}
