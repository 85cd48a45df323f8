package org.lorafoundry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterArchiveTest {

    @TempDir
    Path dir;

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** A zip as the registry writes it: one directory with the files, a model card and SHA256SUMS. */
    private Path zip(Map<String, byte[]> files, Map<String, byte[]> stored) throws IOException {
        Path zip = dir.resolve("demo-sentiment-v1.zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> entry : stored.entrySet()) {
                out.putNextEntry(new ZipEntry("demo-sentiment-v1/" + entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        return zip;
    }

    private static Map<String, byte[]> adapterFiles() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("adapter_config.json", "{\"r\": 8}".getBytes(StandardCharsets.UTF_8));
        files.put("adapter_model.safetensors", new byte[] {1, 2, 3, 4});
        return files;
    }

    private static byte[] sums(Map<String, byte[]> files) throws Exception {
        StringBuilder listing = new StringBuilder();
        for (Map.Entry<String, byte[]> entry : files.entrySet()) {
            listing.append(sha256(entry.getValue())).append("  ").append(entry.getKey()).append('\n');
        }
        return listing.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyListedFileMatchesAndTheListingIsTheManifest() throws Exception {
        Map<String, byte[]> files = adapterFiles();
        byte[] sums = sums(files);
        Map<String, byte[]> stored = new LinkedHashMap<>(files);
        stored.put("README.md", "# card".getBytes(StandardCharsets.UTF_8));
        stored.put("SHA256SUMS", sums);

        assertThat(AdapterArchive.verify(zip(files, stored), sha256(sums))).isEqualTo(2);
    }

    @Test
    void aChangedFileFailsTheCheck() throws Exception {
        Map<String, byte[]> files = adapterFiles();
        byte[] sums = sums(files);
        Map<String, byte[]> stored = new LinkedHashMap<>(files);
        stored.put("adapter_model.safetensors", new byte[] {1, 2, 3, 5});
        stored.put("SHA256SUMS", sums);

        assertThatThrownBy(() -> AdapterArchive.verify(zip(files, stored), sha256(sums)))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.code()).isEqualTo("ARTIFACT_CORRUPT");
                    assertThat(e.getMessage()).contains("adapter_model.safetensors does not match");
                });
    }

    @Test
    void aListingOtherThanTheRegisteredManifestFailsTheCheck() throws Exception {
        Map<String, byte[]> files = adapterFiles();
        Map<String, byte[]> stored = new LinkedHashMap<>(files);
        stored.put("SHA256SUMS", sums(files));

        assertThatThrownBy(() -> AdapterArchive.verify(zip(files, stored), "0".repeat(64)))
                .isInstanceOf(CliException.class).hasMessageContaining("is not the registered manifest");
    }

    @Test
    void aMissingFileOrListingFailsTheCheck() throws Exception {
        Map<String, byte[]> files = adapterFiles();
        Map<String, byte[]> withoutModel = new LinkedHashMap<>();
        withoutModel.put("adapter_config.json", files.get("adapter_config.json"));
        withoutModel.put("SHA256SUMS", sums(files));

        assertThatThrownBy(() -> AdapterArchive.verify(zip(files, withoutModel), null))
                .isInstanceOf(CliException.class).hasMessageContaining("adapter_model.safetensors is listed");
        assertThatThrownBy(() -> AdapterArchive.verify(zip(files, files), null))
                .isInstanceOf(CliException.class).hasMessageContaining("it has no SHA256SUMS");
    }
}
