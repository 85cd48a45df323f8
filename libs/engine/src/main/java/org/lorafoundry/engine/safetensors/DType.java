package org.lorafoundry.engine.safetensors;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Element types of the safetensors format, with their on-disk sizes. Only F32, F16, BF16 and F64 convert to float. */
public enum DType {
    BOOL(1, false),
    U8(1, false),
    I8(1, false),
    F8_E4M3(1, false),
    F8_E5M2(1, false),
    I16(2, false),
    U16(2, false),
    F16(2, true),
    BF16(2, true),
    I32(4, false),
    U32(4, false),
    F32(4, true),
    I64(8, false),
    U64(8, false),
    F64(8, true);

    private final int byteSize;
    private final boolean convertibleToFloat;

    DType(int byteSize, boolean convertibleToFloat) {
        this.byteSize = byteSize;
        this.convertibleToFloat = convertibleToFloat;
    }

    /** Bytes per element on disk. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether {@link TensorView#toFloatArray()} and friends accept this type (F32, F16, BF16, F64). */
    public boolean isConvertibleToFloat() {
        return convertibleToFloat;
    }

    /** The name used in a safetensors header ("F32", "BF16", ...). */
    public String headerName() {
        return name();
    }

    /** Parses a header dtype; unknown names give {@code null}. */
    static DType fromHeader(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    static String known() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
