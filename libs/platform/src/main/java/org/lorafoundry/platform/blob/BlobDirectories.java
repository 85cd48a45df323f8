package org.lorafoundry.platform.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.lorafoundry.proto.v1.DirectoryRef;

/**
 * Directories of files (checkpoints, adapters, model directories) between local disk and the blob store, described by
 * a {@link DirectoryRef}: every file with its checksum plus the {@link DirectoryManifest manifest checksum}. Every byte
 * read is verified; a directory is materialised under a temporary name and renamed when complete, so a crash never
 * leaves a half directory under a real name.
 */
public final class BlobDirectories {

    private final BlobStore blobs;

    public BlobDirectories(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** Stores every regular, non-hidden file under {@code directory} at {@code prefix + relative path}. */
    public DirectoryRef upload(Path directory, String prefix) throws IOException {
        String base = prefix.endsWith("/") ? prefix : prefix + "/";
        List<org.lorafoundry.proto.v1.BlobRef> files = new ArrayList<>();
        long total = 0;
        String uri = null;
        for (Path file : regularFiles(directory)) {
            String relative = relativePath(directory, file);
            BlobRef stored;
            try (InputStream in = Files.newInputStream(file)) {
                stored = blobs.put(base + relative, in);
            }
            String storedUri = stored.uri().toString();
            if (uri == null) {
                uri = storedUri.substring(0, storedUri.length() - relative.length());
            }
            files.add(org.lorafoundry.proto.v1.BlobRef.newBuilder().setUri(storedUri).setSha256(stored.sha256())
                    .setSizeBytes(stored.sizeBytes()).setRelativePath(relative).build());
            total += stored.sizeBytes();
        }
        if (files.isEmpty()) {
            throw new IOException("nothing to upload: " + directory + " has no files");
        }
        files.sort(Comparator.comparing(org.lorafoundry.proto.v1.BlobRef::getRelativePath, DirectoryManifest.PATH_ORDER));
        return DirectoryRef.newBuilder().setUri(uri).addAllFiles(files)
                .setManifestSha256(DirectoryManifest.sha256(files)).setTotalSizeBytes(total).build();
    }

    /**
     * Copies every file of {@code directory} into {@code target} (which must not exist yet), verifying each file's size
     * and checksum and the manifest checksum. Files are read from the blob store, or, for {@code file://} locations
     * outside it (a base model directory under a model root), straight from disk, verified just the same.
     *
     * @throws BlobIntegrityException a file or the manifest differs from what {@code directory} says
     */
    public void download(DirectoryRef directory, Path target) throws IOException {
        if (directory.getFilesCount() == 0) {
            throw new BlobIntegrityException("directory " + directory.getUri() + " lists no files");
        }
        String listed = DirectoryManifest.sha256(directory.getFilesList());
        if (!directory.getManifestSha256().isEmpty() && !listed.equals(directory.getManifestSha256())) {
            throw new BlobIntegrityException("directory " + directory.getUri() + ": its files' manifest checksum "
                    + listed + " differs from the announced " + directory.getManifestSha256());
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path temp = Files.createTempDirectory(parent, ".partial-" + target.getFileName() + "-");
        try {
            for (org.lorafoundry.proto.v1.BlobRef file : directory.getFilesList()) {
                Path local = temp.resolve(file.getRelativePath()).normalize();
                if (!local.startsWith(temp) || local.equals(temp)) {
                    throw new InvalidBlobPathException("file path escapes its directory: " + file.getRelativePath());
                }
                Files.createDirectories(local.getParent());
                try (InputStream in = open(file); OutputStream out = Files.newOutputStream(local)) {
                    in.transferTo(out); // the verifying stream throws at its end on a size or checksum mismatch
                }
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteRecursively(temp);
        }
    }

    /** A verifying stream of one file of a directory (throws {@link BlobIntegrityException} at its end on a mismatch). */
    public InputStream open(org.lorafoundry.proto.v1.BlobRef file) throws IOException {
        BlobRef ref = new BlobRef(URI.create(file.getUri()), file.getSha256(), file.getSizeBytes());
        if (blobs instanceof FileBlobStore store && "file".equals(ref.uri().getScheme())
                && !Path.of(ref.uri()).normalize().startsWith(store.root())) {
            return new VerifyingInputStream(Files.newInputStream(Path.of(ref.uri())), ref);
        }
        return blobs.open(ref);
    }

    /**
     * Describes a local directory (no upload): every regular, non-hidden file (symbolic links to files followed, as in a
     * Hugging Face cache snapshot; {@code .gitattributes}, {@code .cache/} skipped) with its URI and checksum, and the
     * manifest checksum. A file removed while it is listed is not part of the directory.
     */
    public static DirectoryRef describe(Path directory) throws IOException {
        List<org.lorafoundry.proto.v1.BlobRef> files = new ArrayList<>();
        long total = 0;
        for (Path file : regularFiles(directory)) {
            String sha256;
            try (InputStream in = Files.newInputStream(file)) {
                var digest = Sha256.newDigest();
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    digest.update(buffer, 0, n);
                }
                sha256 = java.util.HexFormat.of().formatHex(digest.digest());
            } catch (java.nio.file.NoSuchFileException e) {
                continue;
            }
            long size = Files.size(file);
            total += size;
            files.add(org.lorafoundry.proto.v1.BlobRef.newBuilder().setUri(file.toUri().toString()).setSha256(sha256)
                    .setSizeBytes(size).setRelativePath(relativePath(directory, file)).build());
        }
        files.sort(Comparator.comparing(org.lorafoundry.proto.v1.BlobRef::getRelativePath, DirectoryManifest.PATH_ORDER));
        String uri = directory.toUri().toString();
        return DirectoryRef.newBuilder().setUri(uri.endsWith("/") ? uri : uri + "/").addAllFiles(files)
                .setManifestSha256(DirectoryManifest.sha256(files)).setTotalSizeBytes(total).build();
    }

    private static List<Path> regularFiles(Path directory) throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            return walk.filter(path -> !path.equals(directory))
                    .filter(path -> !hidden(directory.relativize(path)))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }

    private static boolean hidden(Path relative) {
        for (Path segment : relative) {
            if (segment.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static String relativePath(Path directory, Path file) {
        return directory.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /** Deletes a directory tree; nothing happens when it does not exist. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
