package org.lorafoundry.platform.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@link BlobStore} on a directory (local disk or a shared mount), with {@code file://} URIs.
 *
 * <p>A write goes to a hidden temporary file beside its target, is forced to disk, and is renamed onto the target
 * atomically: a crash leaves at most a {@code .tmp-} file, never a half blob under a real name.
 */
public final class FileBlobStore implements BlobStore {

    private static final String TEMP_PREFIX = ".tmp-";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._@=+-]*");

    private final Path root;

    public FileBlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toRealPath();
    }

    public Path root() {
        return root;
    }

    @Override
    public BlobRef put(String path, InputStream content) throws IOException {
        Path target = resolve(path);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
        MessageDigest digest = Sha256.newDigest();
        long size;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new DigestOutputStream(java.nio.channels.Channels.newOutputStream(channel), digest)) {
                size = content.transferTo(out);
                out.flush();
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        return new BlobRef(target.toUri(), HexFormat.of().formatHex(digest.digest()), size);
    }

    @Override
    public InputStream open(BlobRef ref) throws IOException {
        Path file = resolve(ref.uri());
        try {
            return new VerifyingInputStream(Files.newInputStream(file), ref);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(ref.uri().toString(), null, "blob does not exist");
        }
    }

    @Override
    public boolean exists(String path) {
        return Files.isRegularFile(resolve(path));
    }

    @Override
    public void delete(String path) throws IOException {
        Files.deleteIfExists(resolve(path));
    }

    /** The store-relative path of a URI of this store. */
    public Path resolve(URI uri) {
        if (!"file".equals(uri.getScheme())) {
            throw new InvalidBlobPathException("Not a file:// blob URI: " + uri);
        }
        Path file = Path.of(uri).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new InvalidBlobPathException("Blob URI " + uri + " is outside the blob store " + root.toUri());
        }
        return file;
    }

    private Path resolve(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new InvalidBlobPathException("Blob path must be relative and name a file: '" + path + "'");
        }
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.startsWith(TEMP_PREFIX)) {
                throw new InvalidBlobPathException("Invalid blob path segment '" + segment + "' in '" + path
                        + "' (letters, digits and ._@=+- only; no empty, '.' or '..' segments)");
            }
        }
        Path file = root.resolve(path).normalize();
        if (!file.startsWith(root)) {
            throw new InvalidBlobPathException("Blob path escapes the store: '" + path + "'");
        }
        return file;
    }
}
