package org.lorafoundry.platform.blob;

import java.net.URI;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a blob is and what it must be: rows and events hold this, and every reader verifies it.
 *
 * @param uri       location, e.g. {@code file:///var/foundry/blobs/datasets/team/name/3/train.jsonl}
 * @param sha256    lower-case hex SHA-256 of the content
 * @param sizeBytes content length in bytes
 */
public record BlobRef(URI uri, String sha256, long sizeBytes) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public BlobRef {
        Objects.requireNonNull(uri, "uri");
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex characters, got " + sha256);
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative");
        }
    }
}
