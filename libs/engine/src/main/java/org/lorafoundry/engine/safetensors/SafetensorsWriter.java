package org.lorafoundry.engine.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a safetensors file: header JSON with {@code __metadata__} (string values), padded with spaces so that the
 * data section starts at a multiple of 8 (as Python's {@code safetensors} does); tensors laid out by decreasing element
 * size, then by name, so every tensor is aligned to its element size. The file is written under a temporary name in
 * the same directory, forced to disk, and renamed over the target: a crash never leaves a half file under the real
 * name.
 *
 * <pre>{@code
 * new SafetensorsWriter().metadata("format", "pt")
 *         .put("lora_A", DType.F32, new long[] {8, 64}, values)
 *         .write(path);
 * }</pre>
 */
public final class SafetensorsWriter {
    private static final int IO_CHUNK = 1 << 20;

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private interface Payload {
        /** Writes exactly byteLength bytes, little-endian. */
        void write(FileChannel out, ByteBuffer scratch) throws IOException;
    }

    private record Entry(String name, DType dtype, long[] shape, long byteLength, Payload payload) {
    }

    /** Adds a {@code __metadata__} entry (Hugging Face uses {@code format: pt}). */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter metadata(Map<String, String> values) {
        metadata.putAll(values);
        return this;
    }

    /** Float data stored as F32, F16 or BF16 (narrowing rounds to nearest even). */
    public SafetensorsWriter put(String name, DType dtype, long[] shape, float[] data) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("float data is written as F32, F16 or BF16, not " + dtype);
        }
        checkCount(name, shape, data.length);
        float[] copy = data.clone();
        return add(name, dtype, shape, (out, scratch) -> {
            int per = scratch.capacity() / dtype.byteSize();
            for (int start = 0; start < copy.length; start += per) {
                int n = Math.min(per, copy.length - start);
                scratch.clear();
                for (int i = 0; i < n; i++) {
                    float v = copy[start + i];
                    switch (dtype) {
                        case F32 -> scratch.putFloat(v);
                        case F16 -> scratch.putShort(HalfFloats.floatToHalf(v));
                        default -> scratch.putShort(HalfFloats.floatToBf16(v));
                    }
                }
                scratch.flip();
                writeFully(out, scratch);
            }
        });
    }

    /** Float data stored as F32. */
    public SafetensorsWriter put(String name, long[] shape, float[] data) {
        return put(name, DType.F32, shape, data);
    }

    /** I64 data. */
    public SafetensorsWriter put(String name, long[] shape, long[] data) {
        checkCount(name, shape, data.length);
        long[] copy = data.clone();
        return add(name, DType.I64, shape, (out, scratch) -> {
            int per = scratch.capacity() / 8;
            for (int start = 0; start < copy.length; start += per) {
                int n = Math.min(per, copy.length - start);
                scratch.clear();
                for (int i = 0; i < n; i++) {
                    scratch.putLong(copy[start + i]);
                }
                scratch.flip();
                writeFully(out, scratch);
            }
        });
    }

    /** Raw little-endian bytes of any dtype (the buffer's remaining bytes; it is copied). */
    public SafetensorsWriter putRaw(String name, DType dtype, long[] shape, ByteBuffer littleEndianBytes) {
        long expected = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        if (littleEndianBytes.remaining() != expected) {
            throw new IllegalArgumentException(name + ": " + dtype + Arrays.toString(shape) + " needs " + expected
                    + " bytes, got " + littleEndianBytes.remaining());
        }
        ByteBuffer copy = ByteBuffer.allocate(littleEndianBytes.remaining());
        copy.put(littleEndianBytes.duplicate()).flip();
        return add(name, dtype, shape, (out, scratch) -> writeFully(out, copy.duplicate()));
    }

    /** An NDArray's values, in its own type (FLOAT32, FLOAT16, FLOAT64, INT64, INT32, INT8, UINT8, BOOLEAN). */
    public SafetensorsWriter put(String name, NDArray array) {
        DType dtype = switch (array.getDataType()) {
            case FLOAT32 -> DType.F32;
            case FLOAT16 -> DType.F16;
            case FLOAT64 -> DType.F64;
            case INT64 -> DType.I64;
            case INT32 -> DType.I32;
            case INT8 -> DType.I8;
            case UINT8 -> DType.U8;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException(name + ": cannot write NDArray of type "
                    + array.getDataType());
        };
        ByteBuffer bytes = array.toByteBuffer().order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        return putRaw(name, dtype, array.getShape().getShape(), bytes);
    }

    /** Convenience: F32 NDArray (converted if it is another floating type) stored as {@code dtype}. */
    public SafetensorsWriter put(String name, DType dtype, NDArray array) {
        if (array.getDataType() == DataType.FLOAT32 && dtype == DType.F32) {
            return put(name, array);
        }
        try (NDArray f = array.toType(DataType.FLOAT32, true)) {
            return put(name, dtype, array.getShape().getShape(), f.toFloatArray());
        }
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, Payload payload) {
        if (name == null || name.isEmpty() || SafetensorsReader.METADATA_KEY.equals(name)) {
            throw new IllegalArgumentException("invalid tensor name: " + name);
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name: " + name);
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            }
        }
        long bytes = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        entries.put(name, new Entry(name, dtype, shape.clone(), bytes, payload));
        return this;
    }

    private static void checkCount(String name, long[] shape, long count) {
        long numel = TensorInfo.numel(shape);
        if (numel != count) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + numel
                    + " elements, got " + count);
        }
    }

    /** Number of tensors added so far. */
    public int size() {
        return entries.size();
    }

    /** Writes the file atomically (temporary file + rename in the same directory). */
    public void write(Path file) throws IOException {
        List<Entry> ordered = new ArrayList<>(entries.values());
        ordered.sort(Comparator.comparingInt((Entry e) -> -e.dtype().byteSize()).thenComparing(Entry::name));

        ObjectNode header = SafetensorsReader.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(SafetensorsReader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : ordered) {
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype().headerName());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
            ArrayNode offsets = t.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + e.byteLength());
            offset += e.byteLength();
        }
        byte[] json = SafetensorsReader.JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, head);
                ByteBuffer scratch = ByteBuffer.allocate(IO_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                long expected = 8 + padded;
                for (Entry e : ordered) {
                    e.payload().write(out, scratch);
                    expected += e.byteLength();
                    if (out.position() != expected) {
                        throw new IllegalStateException("wrote " + out.position() + " bytes, expected " + expected
                                + " after " + e.name());
                    }
                }
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}
