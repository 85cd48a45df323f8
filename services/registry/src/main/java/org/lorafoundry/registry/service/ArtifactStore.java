package org.lorafoundry.registry.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.blob.BlobIntegrityException;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.platform.blob.DirectoryManifest;

/**
 * Adapter directories in the blob store. At registration a version's PEFT files are copied from where the trainer wrote
 * them to the registry's own location, {@code adapters/{team}/{name}/{version}/<relative path>} (DESIGN.md, "Data
 * ownership"), each file verified against its SHA-256 while it is copied; downloads read that copy, verifying again.
 */
@ApplicationScoped
public class ArtifactStore {

    /** The registry's copy, or why there is none (a missing or corrupt source is permanent: retrying will not help). */
    public record Copy(DirectoryRef artifact, String problem) {
    }

    private final BlobStore blobs;

    ArtifactStore(BlobStore blobs) {
        this.blobs = blobs;
    }

    /**
     * Copies every file of {@code source} to the version's location. A file that is missing, fails its checksum or has
     * an unusable path makes the copy fail with a problem (the version is still registered, as not downloadable); other
     * I/O errors are thrown (the blob store is down: the registration is retried).
     */
    public Copy copy(String team, String name, int version, DirectoryRef source) throws IOException {
        if (source.getFilesCount() == 0) {
            return new Copy(source, "the adapter directory lists no files");
        }
        String prefix = "adapters/" + team + "/" + name + "/" + version + "/";
        List<BlobRef> copied = new ArrayList<>();
        String directory = null;
        long total = 0;
        for (BlobRef file : source.getFilesList()) {
            String label = file.getRelativePath().isEmpty() ? file.getUri() : file.getRelativePath();
            try {
                org.lorafoundry.platform.blob.BlobRef from = platformRef(file);
                org.lorafoundry.platform.blob.BlobRef to;
                try (InputStream in = blobs.open(from)) {
                    // put() reads to the end, where the verifying stream throws on a mismatch: nothing is renamed then
                    to = blobs.put(prefix + file.getRelativePath(), in);
                }
                if (!to.sha256().equals(file.getSha256()) || to.sizeBytes() != file.getSizeBytes()) {
                    return new Copy(source, label + ": copied bytes differ from the announced checksum");
                }
                String uri = to.uri().toString();
                if (directory == null) {
                    directory = uri.substring(0, uri.length() - file.getRelativePath().length());
                }
                copied.add(file.toBuilder().setUri(uri).build());
                total += to.sizeBytes();
            } catch (BlobIntegrityException e) {
                return new Copy(source, label + ": checksum mismatch (" + e.getMessage() + ")");
            } catch (NoSuchFileException e) {
                return new Copy(source, label + ": missing from the blob store (" + file.getUri() + ")");
            } catch (IllegalArgumentException e) { // InvalidBlobPathException, or a malformed URI or checksum
                return new Copy(source, label + ": unusable location or path (" + e.getMessage() + ")");
            }
        }
        DirectoryRef registry = DirectoryRef.newBuilder().setUri(directory).addAllFiles(copied)
                .setManifestSha256(DirectoryManifest.sha256(copied)).setTotalSizeBytes(total).build();
        if (!source.getManifestSha256().isEmpty() && !source.getManifestSha256().equals(registry.getManifestSha256())) {
            return new Copy(source, "the files' manifest checksum " + registry.getManifestSha256()
                    + " differs from the announced " + source.getManifestSha256());
        }
        return new Copy(registry, null);
    }

    /** Reads a file to its end, verifying size and checksum, and throws {@link BlobIntegrityException} if they differ. */
    public void verify(BlobRef file) throws IOException {
        try (InputStream in = blobs.open(platformRef(file))) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /** A verifying stream of a file (throws at its end on a mismatch). */
    public InputStream open(BlobRef file) throws IOException {
        return blobs.open(platformRef(file));
    }

    static org.lorafoundry.platform.blob.BlobRef platformRef(BlobRef file) {
        return new org.lorafoundry.platform.blob.BlobRef(URI.create(file.getUri()), file.getSha256(), file.getSizeBytes());
    }
}
