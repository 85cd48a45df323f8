package org.lorafoundry.cli.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Rows under headers, printed in aligned columns (two spaces apart, no trailing blanks). */
public final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> headers) {
        this.headers = headers;
    }

    public static Table of(String... headers) {
        return new Table(List.of(headers));
    }

    /** Adds a row; null cells print as {@code -}. */
    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("A row of " + headers + " needs " + headers.size() + " cells, not "
                    + cells.length);
        }
        rows.add(Arrays.stream(cells).map(cell -> cell == null || cell.toString().isBlank() ? "-" : cell.toString())
                .toList());
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    public String render() {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int column = 0; column < row.size(); column++) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < row.size(); column++) {
                if (column > 0) {
                    line.append("  ");
                }
                line.append(row.get(column)).append(" ".repeat(widths[column] - row.get(column).length()));
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
