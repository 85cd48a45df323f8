package org.lorafoundry.engine.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;

/**
 * One tensor of a {@link SafetensorsReader}: its header entry and on-demand access to its bytes. Floating types (F32,
 * F16, BF16, F64) are read as F32; BF16 and F16 are widened here, exactly (DJL's own BF16 path aborts the JVM).
 */
public final class TensorView {
    /** Bytes of F32 output converted per step when a tensor is built through a staging buffer. */
    static long stagingBytes = 64L << 20;

    private final SafetensorsReader file;
    private final TensorInfo info;

    TensorView(SafetensorsReader file, TensorInfo info) {
        this.file = file;
        this.info = info;
    }

    public TensorInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    public DType dtype() {
        return info.dtype();
    }

    public long[] shape() {
        return info.shape();
    }

    public long numel() {
        return info.numel();
    }

    /** The file this tensor lives in. */
    public SafetensorsReader file() {
        return file;
    }

    /**
     * The raw little-endian bytes, memory-mapped read-only. Only for tensors that fit one mapping window (1 GiB);
     * larger ones are read with {@link #readFloats} or {@link #toNDArray}.
     */
    public ByteBuffer bytes() {
        if (info.byteLength() > file.windowBytes()) {
            throw new IllegalStateException(info.name() + " is " + info.byteLength()
                    + " bytes, more than one mapping window; use readFloats or toNDArray");
        }
        try {
            return file.map(info.begin(), info.byteLength()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + info.name() + " of " + file.location(), e);
        }
    }

    /** All elements as floats (widened from F16/BF16, narrowed from F64). At most 2^31 - 1 elements. */
    public float[] toFloatArray() {
        long n = info.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(info.name() + " has " + n + " elements, too many for a Java array;"
                    + " use readFloats in ranges or toNDArray");
        }
        float[] out = new float[(int) n];
        readFloats(0, out, 0, out.length);
        return out;
    }

    /** Elements [first, first + count) as floats into {@code dst[offset..]}; works across mapping windows. */
    public void readFloats(long first, float[] dst, int offset, int count) {
        requireFloat();
        readFloats(first, count, FloatBuffer.wrap(dst, offset, count));
    }

    /** Integer tensors (I64, I32, I16, I8, U8, U16, U32, BOOL) as longs. */
    public long[] toLongArray() {
        DType t = info.dtype();
        long n = info.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(info.name() + " has too many elements for a Java array");
        }
        long[] out = new long[(int) n];
        int es = t.byteSize();
        long perWindow = Math.max(1, file.windowBytes() / es);
        for (long start = 0; start < n; start += perWindow) {
            int count = (int) Math.min(perWindow, n - start);
            ByteBuffer b = mapElements(start, count);
            for (int i = 0; i < count; i++) {
                long v = switch (t) {
                    case I64, U64 -> b.getLong(i * 8);
                    case I32 -> b.getInt(i * 4);
                    case U32 -> b.getInt(i * 4) & 0xffffffffL;
                    case I16 -> b.getShort(i * 2);
                    case U16 -> b.getShort(i * 2) & 0xffff;
                    case I8 -> b.get(i);
                    case U8, BOOL -> b.get(i) & 0xff;
                    default -> throw new IllegalStateException(info.name() + " is " + t + ", not an integer type");
                };
                out[(int) start + i] = v;
            }
        }
        return out;
    }

    /**
     * A new F32 NDArray of this tensor's shape, owned by {@code manager} and writable (its own memory). F16/BF16 are
     * widened, F64 narrowed. Tensors over 2 GiB are filled in slices.
     */
    public NDArray toNDArray(NDManager manager) {
        requireFloat();
        Shape shape = new Shape(info.shape());
        long n = info.numel();
        if (n == 0) {
            return manager.zeros(shape, DataType.FLOAT32);
        }
        long outBytes = n * 4;
        if (outBytes <= stagingBytes) {
            ByteBuffer buf = ByteBuffer.allocateDirect((int) outBytes).order(ByteOrder.nativeOrder());
            readFloats(0, n, buf.asFloatBuffer());
            return manager.create(buf, shape, DataType.FLOAT32);
        }
        // Big: a torch-owned array filled slice by slice through one reusable staging buffer.
        int perStep = (int) (stagingBytes / 4);
        ByteBuffer staging = ByteBuffer.allocateDirect(perStep * 4).order(ByteOrder.nativeOrder());
        NDArray flat = manager.zeros(new Shape(n), DataType.FLOAT32);
        try (NDManager scratch = manager.newSubManager()) {
            for (long start = 0; start < n; start += perStep) {
                int count = (int) Math.min(perStep, n - start);
                staging.clear();
                readFloats(start, count, staging.asFloatBuffer());
                staging.limit(count * 4);
                try (NDArray part = scratch.create(staging.slice().order(ByteOrder.nativeOrder()), new Shape(count),
                        DataType.FLOAT32)) {
                    flat.set(new NDIndex().addSliceDim(start, start + count), part);
                }
            }
        }
        NDArray shaped = flat.reshape(shape);
        flat.close();
        return shaped;
    }

    /**
     * Like {@link #toNDArray}, but an F32 tensor that fits one window is not copied: the NDArray reads the mapped
     * file directly. Such an array is read-only memory, and an in-place write to it crashes the JVM: only for frozen
     * weights. Other tensors fall back to {@link #toNDArray}.
     */
    public NDArray mapNDArray(NDManager manager) {
        boolean aligned = (file.dataStart() + info.begin()) % 4 == 0;
        if (info.dtype() == DType.F32 && aligned && info.numel() > 0 && info.byteLength() <= file.windowBytes()
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            try {
                ByteBuffer mapped = file.map(info.begin(), info.byteLength());
                return manager.create(mapped, new Shape(info.shape()), DataType.FLOAT32);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot map " + info.name() + " of " + file.location(), e);
            }
        }
        return toNDArray(manager);
    }

    private void requireFloat() {
        if (!info.dtype().isConvertibleToFloat()) {
            throw new IllegalStateException(info.name() + " in " + file.location() + " is " + info.dtype()
                    + "; only F32, F16, BF16 and F64 convert to float");
        }
    }

    private ByteBuffer mapElements(long first, long count) {
        int es = info.dtype().byteSize();
        try {
            return file.map(info.begin() + first * es, count * es);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + info.name() + " of " + file.location(), e);
        }
    }

    /** Converts elements [first, first + count) into {@code out}, one mapping window at a time. */
    private void readFloats(long first, long count, FloatBuffer out) {
        if (first < 0 || count < 0 || first + count > info.numel()) {
            throw new IndexOutOfBoundsException("elements [" + first + ", " + (first + count) + ") of " + info.name()
                    + Arrays.toString(info.shape()));
        }
        DType t = info.dtype();
        long perWindow = Math.max(1, file.windowBytes() / t.byteSize());
        for (long start = first; start < first + count; start += perWindow) {
            int n = (int) Math.min(perWindow, first + count - start);
            ByteBuffer src = mapElements(start, n);
            switch (t) {
                case F32 -> out.put(src.asFloatBuffer());
                case BF16 -> {
                    ShortBuffer s = src.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        out.put(HalfFloats.bf16ToFloat(s.get(i)));
                    }
                }
                case F16 -> {
                    ShortBuffer s = src.asShortBuffer();
                    for (int i = 0; i < n; i++) {
                        out.put(HalfFloats.halfToFloat(s.get(i)));
                    }
                }
                case F64 -> {
                    DoubleBuffer d = src.asDoubleBuffer();
                    for (int i = 0; i < n; i++) {
                        out.put((float) d.get(i));
                    }
                }
                default -> throw new IllegalStateException("unreachable: " + t);
            }
        }
    }

    @Override
    public String toString() {
        return info.toString();
    }
}
