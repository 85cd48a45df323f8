package org.lorafoundry.registry.service;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.registry.domain.Manifest;

/**
 * The files of a model directory with their checksums: what pins a base model's exact weights, tokenizer and config.
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * Every regular file under the directory (symbolic links to files followed, as in a Hugging Face cache snapshot;
     * hidden files and directories such as {@code .gitattributes} or {@code .cache/} skipped), each hashed while
     * streaming it, and the manifest checksum over them (common.proto, DirectoryRef.manifest_sha256).
     */
    public static DirectoryRef list(Path directory) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(directory)) {
            files = walk.filter(path -> !path.equals(directory))
                    .filter(path -> !hidden(directory.relativize(path)))
                    .filter(Files::isRegularFile)
                    .toList();
        }
        List<BlobRef> refs = new ArrayList<>();
        long total = 0;
        for (Path file : files) {
            String relative = directory.relativize(file).toString().replace(File.separatorChar, '/');
            String sha256;
            try (InputStream in = Files.newInputStream(file)) {
                sha256 = Manifest.sha256(in);
            } catch (NoSuchFileException e) {
                continue; // removed while we listed: not part of the model
            }
            long size = Files.size(file);
            total += size;
            refs.add(BlobRef.newBuilder().setUri(file.toUri().toString()).setSha256(sha256).setSizeBytes(size)
                    .setRelativePath(relative).build());
        }
        refs.sort(Comparator.comparing(BlobRef::getRelativePath, Manifest::compareUtf8));
        String uri = directory.toUri().toString();
        return DirectoryRef.newBuilder().setUri(uri.endsWith("/") ? uri : uri + "/").addAllFiles(refs)
                .setManifestSha256(Manifest.sha256(refs)).setTotalSizeBytes(total).build();
    }

    private static boolean hidden(Path relative) {
        for (Path segment : relative) {
            if (segment.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
