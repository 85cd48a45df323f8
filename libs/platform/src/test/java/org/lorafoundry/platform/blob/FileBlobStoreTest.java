package org.lorafoundry.platform.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest {

    @TempDir
    Path root;
    FileBlobStore store;

    @BeforeEach
    void open() throws IOException {
        store = new FileBlobStore(root);
    }

    @Test
    void storesAndReadsBackWithChecksum() throws Exception {
        BlobRef ref = store.put("datasets/demo/dates/1/train.jsonl", bytes("{\"text\":\"hi\"}\n"));

        // sha256 of the exact bytes, computed independently
        assertThat(ref.sha256()).isEqualTo(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest("{\"text\":\"hi\"}\n".getBytes(StandardCharsets.UTF_8))));
        assertThat(ref.sizeBytes()).isEqualTo(14);
        assertThat(ref.uri().getScheme()).isEqualTo("file");
        try (InputStream in = store.open(ref)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"text\":\"hi\"}\n");
        }
        assertThat(store.exists("datasets/demo/dates/1/train.jsonl")).isTrue();
    }

    @Test
    void aCorruptedBlobFailsVerificationAtTheEndOfTheRead() throws IOException {
        BlobRef ref = store.put("checkpoints/job-1/step-10/adapter.bin", bytes("original content"));
        Files.writeString(Path.of(ref.uri()), "tampered content");

        try (InputStream in = store.open(ref)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(BlobIntegrityException.class)
                    .hasMessageContaining("sha256").hasMessageContaining(ref.sha256());
        }
    }

    @Test
    void aTruncatedBlobFailsOnSize() throws IOException {
        BlobRef ref = store.put("a/b.bin", bytes("0123456789"));
        Files.writeString(Path.of(ref.uri()), "01234");

        try (InputStream in = store.open(ref)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(BlobIntegrityException.class).hasMessageContaining("5 bytes");
        }
    }

    @Test
    void aWriteThatFailsHalfwayLeavesNothingUnderAnyName() throws IOException {
        InputStream failing = new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
                if (sent++ > 1000) {
                    throw new IOException("network gone");
                }
                return 'x';
            }
        };

        assertThatThrownBy(() -> store.put("datasets/t/d/1/train.jsonl", failing)).hasMessage("network gone");
        assertThat(store.exists("datasets/t/d/1/train.jsonl")).isFalse();
        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void refusesPathsThatLeaveTheStore() {
        for (String path : new String[] {"../outside", "a/../../outside", "/etc/passwd", "a//b", "a/./b", "", "a/",
            "a/.tmp-x", "a\\..\\b"}) {
            assertThatThrownBy(() -> store.put(path, bytes("x"))).as(path).isInstanceOf(InvalidBlobPathException.class);
        }
        BlobRef foreign = new BlobRef(URI.create("file:///etc/passwd"), "0".repeat(64), 1);
        assertThatThrownBy(() -> store.open(foreign)).isInstanceOf(InvalidBlobPathException.class);
        BlobRef sneaky = new BlobRef(root.resolve("a/../../etc/passwd").toUri(), "0".repeat(64), 1);
        assertThatThrownBy(() -> store.open(sneaky)).isInstanceOf(InvalidBlobPathException.class);
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
