package org.lorafoundry.datasets.service;

import java.nio.file.Path;

/**
 * A normalised split written to the ingest's work directory, ready for the blob store.
 *
 * @param name      {@code train} or {@code validation}
 * @param file      the JSONL file
 * @param sha256    its SHA-256 (lower-case hex)
 * @param sizeBytes its size
 * @param rows      its rows
 */
public record PreparedSplit(String name, Path file, String sha256, long sizeBytes, long rows) {
}
