package org.lorafoundry.platform.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.proto.v1.DirectoryRef;

class BlobDirectoriesTest {

    @TempDir
    Path temp;

    @Test
    void uploadsAndDownloadsADirectoryWithTheSha256sumManifest() throws Exception {
        Path source = directory("adapter_config.json", "{\"r\": 8}", "sub/adapter_model.safetensors", "weights",
                ".hidden", "skipped");
        BlobDirectories directories = new BlobDirectories(new FileBlobStore(temp.resolve("blobs")));

        DirectoryRef ref = directories.upload(source, "checkpoints/job-1/step-10");

        assertThat(ref.getFilesList()).extracting(f -> f.getRelativePath())
                .containsExactly("adapter_config.json", "sub/adapter_model.safetensors");
        assertThat(ref.getUri()).endsWith("/checkpoints/job-1/step-10/");
        assertThat(ref.getTotalSizeBytes()).isEqualTo(8 + 7);
        // sha256sum of the two files, then of that listing (what `sha256sum` would print)
        assertThat(DirectoryManifest.listing(ref.getFilesList())).isEqualTo(
                sha("{\"r\": 8}") + "  adapter_config.json\n" + sha("weights") + "  sub/adapter_model.safetensors\n");
        assertThat(ref.getManifestSha256()).isEqualTo(sha(DirectoryManifest.listing(ref.getFilesList())));
        assertThat(BlobDirectories.describe(source).getManifestSha256()).isEqualTo(ref.getManifestSha256());

        Path copy = temp.resolve("copy");
        directories.download(ref, copy);
        assertThat(Files.readString(copy.resolve("sub/adapter_model.safetensors"))).isEqualTo("weights");
        assertThat(copy.resolve(".hidden")).doesNotExist();
    }

    @Test
    void aCorruptFileOrAWrongManifestLeavesNothingBehind() throws Exception {
        Path blobs = temp.resolve("blobs");
        BlobDirectories directories = new BlobDirectories(new FileBlobStore(blobs));
        DirectoryRef ref = directories.upload(directory("a.txt", "alpha", "b.txt", "beta"), "adapters/t/n/1");
        Files.writeString(blobs.resolve("adapters/t/n/1/b.txt"), "BETA");

        Path target = temp.resolve("target");
        assertThatThrownBy(() -> directories.download(ref, target)).isInstanceOf(BlobIntegrityException.class);
        assertThat(target).doesNotExist();
        try (var left = Files.list(temp)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".partial"));
        }

        DirectoryRef wrongManifest = ref.toBuilder().setManifestSha256("0".repeat(64)).build();
        assertThatThrownBy(() -> directories.download(wrongManifest, target))
                .isInstanceOf(BlobIntegrityException.class).hasMessageContaining("manifest");
    }

    @Test
    void readsFilesOutsideTheStoreVerifiedAndRefusesEscapingPaths() throws Exception {
        Path model = directory("config.json", "{}", "model.safetensors", "tensor bytes");
        BlobDirectories directories = new BlobDirectories(new FileBlobStore(temp.resolve("blobs")));
        DirectoryRef described = BlobDirectories.describe(model);

        directories.download(described, temp.resolve("cache/model"));
        assertThat(Files.readString(temp.resolve("cache/model/model.safetensors"))).isEqualTo("tensor bytes");

        DirectoryRef escaping = described.toBuilder().setFiles(0, described.getFiles(0).toBuilder()
                .setRelativePath("../evil")).setManifestSha256("").build();
        assertThatThrownBy(() -> directories.download(escaping, temp.resolve("other")))
                .isInstanceOf(InvalidBlobPathException.class);
    }

    @Test
    void theManifestListingIsSortedByTheUtf8BytesOfThePaths() {
        var files = java.util.List.of(
                org.lorafoundry.proto.v1.BlobRef.newBuilder().setRelativePath("b.txt").setSha256("b".repeat(64)).build(),
                org.lorafoundry.proto.v1.BlobRef.newBuilder().setRelativePath("a/x.txt").setSha256("a".repeat(64)).build(),
                org.lorafoundry.proto.v1.BlobRef.newBuilder().setRelativePath("B.txt").setSha256("c".repeat(64)).build());
        String listing = "c".repeat(64) + "  B.txt\n" + "a".repeat(64) + "  a/x.txt\n" + "b".repeat(64) + "  b.txt\n";
        assertThat(DirectoryManifest.listing(files)).isEqualTo(listing);
        assertThat(DirectoryManifest.sha256(files)).isEqualTo(sha(listing));
    }

    private Path directory(String... namesAndContents) throws Exception {
        Path dir = Files.createTempDirectory(temp, "dir");
        for (int i = 0; i < namesAndContents.length; i += 2) {
            Path file = dir.resolve(namesAndContents[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, namesAndContents[i + 1]);
        }
        return dir;
    }

    private static String sha(String text) {
        return java.util.HexFormat.of().formatHex(Sha256.newDigest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
