package org.lorafoundry.registry.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the header of a safetensors file, never its tensor data: an unsigned 64-bit little-endian length N, then N
 * bytes of UTF-8 JSON mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets relative
 * to the end of the header), plus an optional {@code __metadata__} object. Checks that every tensor's byte range lies
 * inside the file and matches its shape and dtype, so a truncated or mislabelled file is refused here and not at the
 * first training step.
 */
public final class SafetensorsHeader {

    /** Headers above this are refused (real ones are a few hundred KiB even for large models). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One tensor of the header. */
    public record Tensor(String name, String dtype, long[] shape, long begin, long end) {

        public long elements() {
            long count = 1;
            for (long dimension : shape) {
                count = Math.multiplyExact(count, dimension);
            }
            return count;
        }
    }

    private SafetensorsHeader() {
    }

    /**
     * @throws BaseModelInvalidException WEIGHTS_UNREADABLE, naming the file and what is wrong
     */
    public static List<Tensor> read(Path file) throws IOException, BaseModelInvalidException {
        String label = file.getFileName().toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw invalid(label, "shorter than the 8-byte header length (" + size + " bytes)");
            }
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, length, 0);
            long headerLength = length.getLong(0);
            if (headerLength <= 1 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw invalid(label, "header length " + Long.toUnsignedString(headerLength) + " does not fit the file ("
                        + size + " bytes); not a safetensors file?");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            JsonNode json;
            try {
                json = MAPPER.readTree(header.array());
            } catch (JsonProcessingException e) {
                throw invalid(label, "the header is not JSON: " + e.getOriginalMessage());
            }
            if (json == null || !json.isObject()) {
                throw invalid(label, "the header is not a JSON object");
            }
            return tensors(label, json, size - 8 - headerLength);
        }
    }

    static List<Tensor> tensors(String label, JsonNode json, long dataBytes) throws BaseModelInvalidException {
        List<Tensor> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            String name = field.getKey();
            JsonNode entry = field.getValue();
            JsonNode dtype = entry.get("dtype");
            JsonNode shape = entry.get("shape");
            JsonNode offsets = entry.get("data_offsets");
            if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null
                    || !offsets.isArray() || offsets.size() != 2) {
                throw invalid(label, "tensor '" + name + "' lacks dtype, shape or data_offsets");
            }
            long[] dimensions = new long[shape.size()];
            for (int i = 0; i < dimensions.length; i++) {
                if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 0) {
                    throw invalid(label, "tensor '" + name + "' has an invalid shape " + shape);
                }
                dimensions[i] = shape.get(i).asLong();
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataBytes) {
                throw invalid(label, "tensor '" + name + "' lies outside the file (data_offsets " + offsets + ", "
                        + dataBytes + " data bytes): truncated?");
            }
            Tensor tensor = new Tensor(name, dtype.asText(), dimensions, begin, end);
            int width = bytesPerElement(tensor.dtype());
            try {
                if (width > 0 && Math.multiplyExact(tensor.elements(), width) != end - begin) {
                    throw invalid(label, "tensor '" + name + "' " + tensor.dtype() + " " + shape + " needs "
                            + tensor.elements() * width + " bytes but data_offsets give " + (end - begin));
                }
            } catch (ArithmeticException e) {
                throw invalid(label, "tensor '" + name + "' has an impossible shape " + shape);
            }
            tensors.add(tensor);
        }
        return tensors;
    }

    /** Bytes per element of a safetensors dtype; 0 when unknown (the size check is then skipped). */
    static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }

    /** The Hugging Face {@code torch_dtype} name of a safetensors dtype. */
    static String torchDtype(String dtype) {
        return switch (dtype) {
            case "F64" -> "float64";
            case "F32" -> "float32";
            case "F16" -> "float16";
            case "BF16" -> "bfloat16";
            default -> dtype.toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    private static BaseModelInvalidException invalid(String file, String problem) {
        return new BaseModelInvalidException("WEIGHTS_UNREADABLE", file + ": " + problem);
    }
}
