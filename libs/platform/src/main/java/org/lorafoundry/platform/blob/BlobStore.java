package org.lorafoundry.platform.blob;

import java.io.IOException;
import java.io.InputStream;

/**
 * Storage for big bytes (datasets, checkpoints, adapters). Paths are relative and slash-separated, by convention
 * {@code datasets/{team}/{dataset}/{version}/...}, {@code checkpoints/{job}/step-{n}/...},
 * {@code adapters/{team}/{name}/{version}/...}.
 *
 * <p>Writes are atomic: a reader sees the whole blob under its name or nothing. Reads verify size and SHA-256.
 */
public interface BlobStore {

    /** Stores the stream's content under {@code path}, replacing any earlier blob there, and returns its reference. */
    BlobRef put(String path, InputStream content) throws IOException;

    /**
     * Opens a blob for reading. The stream verifies the content as it is read: reaching its end with a different size or
     * checksum than {@code ref} says throws {@link BlobIntegrityException}, so a caller that reads to the end never acts on
     * corrupt bytes.
     */
    InputStream open(BlobRef ref) throws IOException;

    /** Whether a blob exists under {@code path}. */
    boolean exists(String path) throws IOException;

    /** Deletes the blob under {@code path}; no error when there is none. */
    void delete(String path) throws IOException;
}
