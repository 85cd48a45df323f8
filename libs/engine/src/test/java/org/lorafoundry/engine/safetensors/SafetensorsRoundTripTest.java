package org.lorafoundry.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.EngineRuntime;

class SafetensorsRoundTripTest {
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = EngineRuntime.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextGaussian() * 3);
        }
        return out;
    }

    @Test
    void roundTripsEveryFloatTypeIntegersScalarsAndEmptyTensorsWithMetadata() throws IOException {
        float[] a = random(6 * 7, 1);
        float[] b = random(5, 2);
        float[] c = random(3 * 4, 3);
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt").metadata("note", "ünïcode ✓")
                .put("a.f32", new long[] {6, 7}, a)
                .put("b.f16", DType.F16, new long[] {5}, b)
                .put("c.bf16", DType.BF16, new long[] {3, 4}, c)
                .put("ids", new long[] {2, 2}, new long[] {-1, 0, 1, Long.MAX_VALUE})
                .put("scalar", DType.F32, new long[0], new float[] {2.5f})
                .put("empty", new long[] {0, 3}, new float[0])
                .write(file);

        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            assertThat(r.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("format", "pt", "note", "ünïcode ✓"));
            assertThat(r.names()).containsExactlyInAnyOrder("a.f32", "b.f16", "c.bf16", "ids", "scalar", "empty");
            assertThat(r.tensor("a.f32").toFloatArray()).containsExactly(a);
            assertThat(r.tensor("a.f32").shape()).containsExactly(6, 7);
            float[] bBack = r.tensor("b.f16").toFloatArray();
            float[] cBack = r.tensor("c.bf16").toFloatArray();
            for (int i = 0; i < b.length; i++) {
                assertThat(bBack[i]).isEqualTo(HalfFloats.halfToFloat(HalfFloats.floatToHalf(b[i])));
            }
            for (int i = 0; i < c.length; i++) {
                assertThat(cBack[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(c[i])));
            }
            assertThat(r.tensor("c.bf16").dtype()).isEqualTo(DType.BF16);
            assertThat(r.tensor("ids").toLongArray()).containsExactly(-1, 0, 1, Long.MAX_VALUE);
            assertThat(r.tensor("scalar").toFloatArray()).containsExactly(2.5f);
            assertThat(r.tensor("scalar").shape()).isEmpty();
            assertThat(r.tensor("empty").numel()).isZero();

            // The format's alignment: data starts at a multiple of 8, every tensor at a multiple of its size.
            assertThat(r.dataStart() % 8).isZero();
            for (TensorInfo t : r.infos()) {
                assertThat((r.dataStart() + t.begin()) % t.dtype().byteSize()).as(t.name()).isZero();
            }
            try (NDArray nd = r.tensor("c.bf16").toNDArray(manager); NDArray mapped = r.tensor("a.f32")
                    .mapNDArray(manager)) {
                assertThat(nd.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(nd.getShape()).isEqualTo(new Shape(3, 4));
                assertThat(nd.toFloatArray()).containsExactly(cBack);
                assertThat(mapped.toFloatArray()).containsExactly(a);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file is left").containsExactly(file);
        }
    }

    @Test
    void writesNDArraysAndOverwritesAtomically() throws IOException {
        Path file = dir.resolve("nd.safetensors");
        Files.writeString(file, "old contents");
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(random(12, 4), new Shape(3, 4));
            NDArray ids = m.create(new long[] {3, 1, 2}, new Shape(3));
            new SafetensorsWriter().put("x", x).put("ids", ids).put("x.bf16", DType.BF16, x).write(file);
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                assertThat(r.tensor("x").toFloatArray()).containsExactly(x.toFloatArray());
                assertThat(r.tensor("ids").toLongArray()).containsExactly(3, 1, 2);
                assertThat(r.tensor("x.bf16").dtype()).isEqualTo(DType.BF16);
                assertThat(r.metadata()).isEmpty();
            }
        }
    }

    @Test
    void readsAcrossMappingWindowsAndBuildsBigArraysSliceBySlice() throws IOException {
        float[] big = random(1000, 5);
        Path file = dir.resolve("big.safetensors");
        new SafetensorsWriter().put("w", new long[] {40, 25}, big).put("h", DType.BF16, new long[] {40, 25}, big)
                .write(file);
        long staging = TensorView.stagingBytes;
        TensorView.stagingBytes = 4 * 64; // 64 floats per slice
        try (SafetensorsReader r = SafetensorsReader.open(file, 24)) { // 24-byte mapping windows
            assertThat(r.tensor("w").toFloatArray()).containsExactly(big);
            float[] part = new float[10];
            r.tensor("w").readFloats(995 - 10, part, 0, 10);
            assertThat(part).containsExactly(java.util.Arrays.copyOfRange(big, 985, 995));
            try (NDArray w = r.tensor("w").toNDArray(manager); NDArray h = r.tensor("h").toNDArray(manager);
                    NDArray mapped = r.tensor("w").mapNDArray(manager)) {
                assertThat(w.getShape()).isEqualTo(new Shape(40, 25));
                assertThat(w.toFloatArray()).containsExactly(big);
                assertThat(mapped.toFloatArray()).containsExactly(big); // too big for one window: copied
                assertThat(h.toFloatArray()).containsExactly(r.tensor("h").toFloatArray());
            }
            assertThatThrownBy(() -> r.tensor("w").bytes()).hasMessageContaining("window");
        } finally {
            TensorView.stagingBytes = staging;
        }
    }

    @Test
    void readsAShardedCheckpoint() throws IOException {
        new SafetensorsWriter().put("a", new long[] {2}, new float[] {1, 2}).write(dir.resolve("m-1.safetensors"));
        new SafetensorsWriter().put("b", new long[] {1}, new float[] {3}).put("c", new long[] {1}, new float[] {4})
                .write(dir.resolve("m-2.safetensors"));
        Files.writeString(dir.resolve(TensorSource.SHARDED_INDEX), """
                {"metadata": {"total_size": 16}, "weight_map": {"a": "m-1.safetensors", "b": "m-2.safetensors",
                 "c": "m-2.safetensors"}}""");
        try (TensorSource s = TensorSource.openModelDirectory(dir)) {
            assertThat(s).isInstanceOf(ShardedSafetensors.class);
            assertThat(s.names()).containsExactly("a", "b", "c");
            assertThat(s.tensor("c").toFloatArray()).containsExactly(4f);
            assertThat(s.metadata()).containsEntry("total_size", "16");
            assertThatThrownBy(() -> s.tensor("d")).hasMessageContaining("no tensor 'd'");
        }
        Files.writeString(dir.resolve(TensorSource.SHARDED_INDEX), """
                {"weight_map": {"a": "m-1.safetensors", "z": "m-2.safetensors"}}""");
        assertThatThrownBy(() -> TensorSource.openModelDirectory(dir)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("'z'").hasMessageContaining("does not contain it");
        Files.writeString(dir.resolve(TensorSource.SHARDED_INDEX), """
                {"weight_map": {"a": "m-3.safetensors"}}""");
        assertThatThrownBy(() -> TensorSource.openModelDirectory(dir)).hasMessageContaining("m-3.safetensors")
                .hasMessageContaining("missing");
    }

    @Test
    void aDirectoryWithoutSafetensorsSaysWhatItExpected() throws IOException {
        Files.writeString(dir.resolve("pytorch_model.bin"), "pickle");
        assertThatThrownBy(() -> TensorSource.openModelDirectory(dir))
                .hasMessageContaining("model.safetensors").hasMessageContaining("safe_serialization");
    }

    @Test
    void rejectsBadInputToTheWriter() {
        SafetensorsWriter w = new SafetensorsWriter().put("a", new long[] {2}, new float[] {1, 2});
        assertThatThrownBy(() -> w.put("a", new long[] {1}, new float[] {1})).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> w.put("b", new long[] {3}, new float[] {1})).hasMessageContaining("3 elements");
        assertThatThrownBy(() -> w.put("__metadata__", new long[] {1}, new float[] {1}))
                .hasMessageContaining("invalid tensor name");
        assertThatThrownBy(() -> w.put("c", DType.I32, new long[] {1}, new float[] {1}))
                .hasMessageContaining("F32, F16 or BF16");
    }

    // --- corrupt files: each gives a SafetensorsFormatException that names the file and the problem ---

    private Path file(byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path f = dir.resolve("corrupt.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private void assertCorrupt(Path f, String... fragments) {
        var t = assertThatThrownBy(() -> SafetensorsReader.open(f)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessageContaining("corrupt safetensors file").hasMessageContaining(f.toString());
        for (String s : fragments) {
            t.hasMessageContaining(s);
        }
    }

    @Test
    void corruptHeadersGiveClearErrors() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertCorrupt(f, "shorter than the 8-byte header length");

        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
        Files.write(f, huge.array());
        assertCorrupt(f, "header length 1099511627776 is impossible");

        assertCorrupt(file("[1, 2, 3]", 0), "does not start with '{'");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", ", 0), "not valid JSON");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F33\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4),
                "unknown dtype 'F33'");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4),
                "spans 4 bytes but F32[2] needs 8");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4),
                "outside the 4-byte data section");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 4),
                "invalid dimension");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "data_offsets");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}", 8), "overlap");
        assertCorrupt(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]},"
                + " \"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "Duplicate field 'a'");
        assertCorrupt(file("{\"__metadata__\": {\"n\": 3}}", 0), "is not a string");
        assertCorrupt(file(new byte[] {'{', (byte) 0xff, '}'}, 0), "not valid JSON");
    }
}
