package org.lorafoundry.evaluator.model;

import java.nio.file.Path;
import java.util.Objects;

import org.lorafoundry.proto.v1.DatasetFormat;

/**
 * General text of the forgetting check: perplexity on it with the adapter vs without it.
 *
 * @param jsonl       normalised JSONL rows in {@code format} (the platform default is TEXT)
 * @param description where it came from, e.g. "team-a/wiki-sample v2 (validation)" or "platform default reference text"
 */
public record ReferenceData(Path jsonl, DatasetFormat format, String description) {

    public ReferenceData {
        Objects.requireNonNull(jsonl, "jsonl");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(description, "description");
    }
}
