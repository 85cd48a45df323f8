package org.lorafoundry.registry.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.sql.SQLException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.platform.auth.Caller;
import org.lorafoundry.platform.blob.BlobIntegrityException;
import org.lorafoundry.platform.rest.ApiException;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.platform.blob.DirectoryManifest;
import org.lorafoundry.registry.domain.Names;
import org.lorafoundry.registry.persistence.VersionRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A version as a zip of its PEFT directory. Every file is read once through the verifying blob stream BEFORE the
 * response starts: a corrupt or missing file is an error answer (500 ARTIFACT_CORRUPT / ARTIFACT_MISSING), never a
 * 200 with bad bytes, because a zip that has begun streaming cannot be taken back. The zip is then streamed, reading
 * each file again through the verifying stream; should a file change in between, the stream throws and the response
 * is cut off (an incomplete zip, which no unzip accepts), still never a complete zip of wrong bytes.
 *
 * <p>Layout: {@code <team>-<name>-v<N>/} holding the adapter's files under their relative paths, {@code README.md} (the
 * generated model card; {@code MODEL_CARD.md} if the adapter brings its own README.md) and {@code SHA256SUMS} (the
 * {@code sha256sum} listing of the adapter's files: {@code sha256sum -c SHA256SUMS} checks them, and its own SHA-256 is
 * the version's manifest checksum).
 */
@ApplicationScoped
public class DownloadService {

    private static final Logger LOG = LoggerFactory.getLogger(DownloadService.class);

    /** A verified version, ready to stream. */
    public record Archive(String fileName, String folder, VersionRecord version, List<BlobRef> files, String cardName,
            String modelCard) {
    }

    private final CatalogService catalog;
    private final ArtifactStore artifacts;

    DownloadService(CatalogService catalog, ArtifactStore artifacts) {
        this.catalog = catalog;
        this.artifacts = artifacts;
    }

    /** Resolves the version (visibility checked) and verifies every file of its artifact. */
    public Archive prepare(Caller caller, String team, String name, String version) throws SQLException, IOException {
        VersionRecord record = catalog.version(caller, team, name, version);
        String ref = Names.ref(team, name, record.summary().version());
        if (record.summary().artifactProblem() != null) {
            throw ApiException.conflict("ARTIFACT_UNAVAILABLE", ref + " cannot be downloaded: "
                    + record.summary().artifactProblem());
        }
        List<BlobRef> files = record.artifact().getFilesList();
        for (BlobRef file : files) {
            try {
                artifacts.verify(file);
            } catch (BlobIntegrityException e) {
                LOG.error("Artifact file {} of {} fails verification: {}", file.getRelativePath(), ref, e.getMessage());
                throw new ApiException(500, "ARTIFACT_CORRUPT", "File " + file.getRelativePath() + " of " + ref
                        + " does not match its recorded SHA-256 (" + e.getMessage() + "); the download was refused. "
                        + "Tell the platform operators: the stored adapter is damaged");
            } catch (NoSuchFileException e) {
                LOG.error("Artifact file {} of {} is missing: {}", file.getRelativePath(), ref, file.getUri());
                throw new ApiException(500, "ARTIFACT_MISSING", "File " + file.getRelativePath() + " of " + ref
                        + " is missing from the blob store; the download was refused");
            }
        }
        boolean ownReadme = files.stream().anyMatch(file -> file.getRelativePath().equals("README.md"));
        String folder = team + "-" + name + "-v" + record.summary().version();
        return new Archive(folder + ".zip", folder, record, files, ownReadme ? "MODEL_CARD.md" : "README.md",
                ModelCard.render(record, folder));
    }

    /** Streams the zip. */
    public void write(Archive archive, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        zip.setLevel(Deflater.BEST_SPEED);
        entry(zip, archive.folder() + "/" + archive.cardName(), archive.modelCard().getBytes(StandardCharsets.UTF_8));
        for (BlobRef file : archive.files()) {
            zip.putNextEntry(new ZipEntry(archive.folder() + "/" + file.getRelativePath()));
            try (InputStream in = artifacts.open(file)) {
                in.transferTo(zip); // throws at the end if the bytes changed since prepare(): the response is cut
            }
            zip.closeEntry();
        }
        if (archive.files().stream().noneMatch(file -> file.getRelativePath().equals("SHA256SUMS"))) {
            entry(zip, archive.folder() + "/SHA256SUMS", DirectoryManifest.listing(archive.files()).getBytes(StandardCharsets.UTF_8));
        }
        zip.finish();
        zip.flush();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }
}
