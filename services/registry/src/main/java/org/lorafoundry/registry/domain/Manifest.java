package org.lorafoundry.registry.domain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import org.lorafoundry.proto.v1.BlobRef;

/**
 * Checksums of directories, as common.proto defines {@code DirectoryRef.manifest_sha256} (also used for base models):
 * the SHA-256 of the UTF-8 text made of one line {@code "<file sha256>  <relative_path>\n"} per file, sorted by
 * relative path, i.e. exactly what {@code sha256sum} prints. Reproduce one by hand with
 * {@code (cd dir && find . -type f ! -name '.*' | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum) | sha256sum}.
 */
public final class Manifest {

    private Manifest() {
    }

    /** The {@code sha256sum} listing of the files (sorted by relative path). */
    public static String listing(List<BlobRef> files) {
        StringBuilder text = new StringBuilder();
        files.stream().sorted(Comparator.comparing(BlobRef::getRelativePath, Manifest::compareUtf8))
                .forEach(file -> text.append(file.getSha256()).append("  ").append(file.getRelativePath()).append('\n'));
        return text.toString();
    }

    public static String sha256(List<BlobRef> files) {
        return hex(digest().digest(listing(files).getBytes(StandardCharsets.UTF_8)));
    }

    /** SHA-256 of a stream, read in 64 KiB chunks (never the whole content in memory). */
    public static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return hex(digest.digest());
    }

    public static String sha256(byte[] bytes) {
        return hex(digest().digest(bytes));
    }

    /** Byte order of the UTF-8 encodings ({@code LC_ALL=C sort}), not UTF-16 order. */
    public static int compareUtf8(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
