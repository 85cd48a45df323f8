package org.lorafoundry.platform.blob;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import org.lorafoundry.proto.v1.BlobRef;

/**
 * The checksum of a directory as common.proto defines {@code DirectoryRef.manifest_sha256} (also used for base models):
 * the SHA-256 of the UTF-8 text made of one line {@code "<file sha256>  <relative_path>\n"} per file, sorted by the
 * relative paths' UTF-8 bytes, i.e. exactly what {@code sha256sum} prints. Reproduce one by hand with
 * {@code (cd dir && find . -type f ! -name '.*' | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum) | sha256sum}.
 */
public final class DirectoryManifest {

    /** Byte order of the UTF-8 encodings ({@code LC_ALL=C sort}), not UTF-16 order. */
    public static final Comparator<String> PATH_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private DirectoryManifest() {
    }

    /** The {@code sha256sum} listing of the files (sorted by relative path). */
    public static String listing(List<BlobRef> files) {
        StringBuilder text = new StringBuilder();
        files.stream().sorted(Comparator.comparing(BlobRef::getRelativePath, PATH_ORDER))
                .forEach(file -> text.append(file.getSha256()).append("  ").append(file.getRelativePath()).append('\n'));
        return text.toString();
    }

    public static String sha256(List<BlobRef> files) {
        return HexFormat.of().formatHex(Sha256.newDigest().digest(listing(files).getBytes(StandardCharsets.UTF_8)));
    }
}
