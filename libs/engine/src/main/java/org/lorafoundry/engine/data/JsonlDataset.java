package org.lorafoundry.engine.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSONL training file, read line by line with Jackson (UTF-8, one JSON object per line, blank lines skipped). The
 * format ({@link DataFormat}) is detected from the first row and every other row must have it. Any bad row (not JSON,
 * not an object, another format, wrong types, a chat template failure) raises a {@link DatasetException} naming the file
 * and its 1-based line.
 */
public final class JsonlDataset {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A parsed row and the line it came from. */
    public record Row(int line, JsonNode value) {
    }

    private final Path file;
    private final DataFormat format;
    private final List<Row> rows;

    private JsonlDataset(Path file, DataFormat format, List<Row> rows) {
        this.file = file;
        this.format = format;
        this.rows = List.copyOf(rows);
    }

    public static JsonlDataset read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        DataFormat format = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new DatasetException(file + ":" + number + ": not valid JSON: " + e.getOriginalMessage(), e);
                }
                if (!node.isObject()) {
                    throw new DatasetException(file + ":" + number + ": expected a JSON object, got "
                            + node.getNodeType().name().toLowerCase());
                }
                DataFormat f = DataFormat.detect(node);
                if (f == null) {
                    throw new DatasetException(file + ":" + number + ": row has none of 'messages', 'prompt' +"
                            + " 'completion', 'text'");
                }
                if (format == null) {
                    format = f;
                } else if (f != format) {
                    throw new DatasetException(file + ":" + number + ": row is " + f + " but the file is " + format
                            + " (from its first row)");
                }
                rows.add(new Row(number, node));
            }
        }
        if (format == null) {
            throw new DatasetException(file + ": no rows");
        }
        return new JsonlDataset(file, format, rows);
    }

    public Path file() {
        return file;
    }

    public DataFormat format() {
        return format;
    }

    public List<Row> rows() {
        return rows;
    }

    public int size() {
        return rows.size();
    }

    /** Every row encoded, in file order; the encoder counts truncations. Errors name the file and line. */
    public List<TrainingExample> encode(ExampleEncoder encoder) {
        List<TrainingExample> out = new ArrayList<>(rows.size());
        for (Row row : rows) {
            try {
                out.add(encoder.encode(format, row.value()));
            } catch (RuntimeException e) {
                throw new DatasetException(file + ":" + row.line() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
