package org.lorafoundry.engine.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Memory-mapped reader of one safetensors file
 * (<a href="https://github.com/huggingface/safetensors#format">format</a>: 8-byte little-endian header length N,
 * N bytes of JSON, then the data section).
 *
 * <p>Nothing is read eagerly but the header: every tensor is a {@link TensorView} whose bytes are mapped on demand, in
 * windows of at most {@link #DEFAULT_WINDOW_BYTES}, so files and tensors larger than 2 GiB work (a single
 * {@link MappedByteBuffer} cannot exceed 2 GiB). Mappings outlive {@link #close()}; they are released by the garbage
 * collector once nothing refers to them.
 */
public final class SafetensorsReader implements TensorSource {
    /** Largest region mapped at once (a MappedByteBuffer is int-indexed). */
    public static final long DEFAULT_WINDOW_BYTES = 1L << 30;
    /** The format's own limit on the header (100 MB), also a guard against garbage lengths. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final Path file;
    private final FileChannel channel;
    private final long fileSize;
    private final long dataStart;
    private final long windowBytes;
    private final Map<String, String> metadata;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsReader(Path file, FileChannel channel, long fileSize, long dataStart, long windowBytes,
            Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.windowBytes = windowBytes;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** Opens and validates the header; the data is mapped lazily. */
    public static SafetensorsReader open(Path file) throws IOException {
        return open(file, DEFAULT_WINDOW_BYTES);
    }

    /** As {@link #open(Path)} with a smaller mapping window (tests exercise the multi-window paths with it). */
    static SafetensorsReader open(Path file, long windowBytes) throws IOException {
        if (windowBytes < 8 || windowBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("window must be in [8, 2^31): " + windowBytes);
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw corrupt(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw corrupt(file, "header length " + Long.toUnsignedString(headerLen) + " is impossible for a "
                        + size + "-byte file (not a safetensors file, or truncated)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(channel, header, 8);
            long dataStart = 8 + headerLen;
            Header parsed = parseHeader(file, header.array(), size - dataStart);
            return new SafetensorsReader(file, channel, size, dataStart, windowBytes, parsed.metadata, parsed.tensors);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private record Header(Map<String, String> metadata, Map<String, TensorInfo> tensors) {
    }

    private static Header parseHeader(Path file, byte[] bytes, long dataSize) throws SafetensorsFormatException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (!text.startsWith("{")) {
            throw corrupt(file, "header does not start with '{'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw corrupt(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> infos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (METADATA_KEY.equals(name)) {
                if (!node.isObject() && !node.isNull()) {
                    throw corrupt(file, "__metadata__ must be an object of strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = node.fields(); m.hasNext();) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw corrupt(file, "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            infos.add(parseEntry(file, name, node, dataSize));
        }
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo previous = null;
        for (TensorInfo t : infos) {
            if (previous != null && t.begin() < previous.end() && t.byteLength() > 0 && previous.byteLength() > 0) {
                throw corrupt(file, "tensors '" + previous.name() + "' and '" + t.name() + "' overlap");
            }
            if (t.byteLength() > 0) {
                previous = t;
            }
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (TensorInfo t : infos) {
            tensors.put(t.name(), t);
        }
        return new Header(Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataSize)
            throws SafetensorsFormatException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw corrupt(file, where + " is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw corrupt(file, where + " has no dtype");
        }
        DType dtype = DType.fromHeader(dtypeNode.asText());
        if (dtype == null) {
            throw corrupt(file, where + " has unknown dtype '" + dtypeNode.asText() + "' (known: " + DType.known()
                    + ")");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw corrupt(file, where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw corrupt(file, where + " has an invalid dimension " + d);
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber()) {
            throw corrupt(file, where + " has no [begin, end] data_offsets");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, where + " has data_offsets [" + begin + ", " + end + "] outside the " + dataSize
                    + "-byte data section (truncated file?)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(TensorInfo.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw corrupt(file, where + " has an absurd shape");
        }
        if (end - begin != expected) {
            throw corrupt(file, where + " spans " + (end - begin) + " bytes but " + dtype + java.util.Arrays.toString(
                    shape) + " needs " + expected);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static SafetensorsFormatException corrupt(Path file, String problem) {
        return new SafetensorsFormatException("corrupt safetensors file " + file + ": " + problem);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new SafetensorsFormatException("unexpected end of file");
            }
            pos += n;
        }
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(tensors.keySet()));
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Header entry of a tensor, or null. */
    public TensorInfo info(String name) {
        return tensors.get(name);
    }

    /** All header entries, in file order. */
    public List<TensorInfo> infos() {
        return List.copyOf(tensors.values());
    }

    @Override
    public TensorView tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + file);
        }
        return new TensorView(this, info);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Path location() {
        return file;
    }

    public long fileSize() {
        return fileSize;
    }

    /** Absolute file offset of the data section. */
    public long dataStart() {
        return dataStart;
    }

    long windowBytes() {
        return windowBytes;
    }

    /** Maps [offset, offset + length) of the data section, little-endian, read-only; length at most the window. */
    MappedByteBuffer map(long dataOffset, long length) throws IOException {
        if (length > windowBytes) {
            throw new IllegalArgumentException("mapping " + length + " bytes exceeds the window " + windowBytes);
        }
        MappedByteBuffer buf = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + dataOffset, length);
        buf.order(ByteOrder.LITTLE_ENDIAN);
        return buf;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsReader[" + file + ", " + tensors.size() + " tensors]";
    }
}
