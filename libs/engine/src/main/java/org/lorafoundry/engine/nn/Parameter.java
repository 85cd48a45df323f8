package org.lorafoundry.engine.nn;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * A named tensor of a model under its Hugging Face state-dict name ({@code model.layers.0.self_attn.q_proj.weight}),
 * holding its current value in the layout the forward pass uses. {@link #transposed()} says whether that layout is the
 * transpose of the checkpoint's ({@code nn.Linear} weights are held {@code [in, out]}, stored {@code [out, in]}).
 *
 * <p>The value can be replaced (merging a LoRA adapter writes a new array here; the old one is never written in place,
 * since it may be memory-mapped read-only memory). Replacement keeps the shape.
 */
public final class Parameter {
    private final String name;
    private final boolean transposed;
    private final String tiedTo;
    private final NDArray original;
    private volatile NDArray value;

    /**
     * @param name state-dict name
     * @param value the tensor in forward layout
     * @param transposed the forward layout is the transpose of the checkpoint layout (2-D only)
     * @param tiedTo state-dict name of the parameter whose storage this one shares (a tied LM head), or null
     */
    public Parameter(String name, NDArray value, boolean transposed, String tiedTo) {
        if (transposed && value.getShape().dimension() != 2) {
            throw new IllegalArgumentException(name + ": only 2-D parameters can be held transposed");
        }
        this.name = name;
        this.value = value;
        this.original = value;
        this.transposed = transposed;
        this.tiedTo = tiedTo;
    }

    public Parameter(String name, NDArray value) {
        this(name, value, false, null);
    }

    public String name() {
        return name;
    }

    /** The current value, in forward layout. Never write into it (it may be memory-mapped). */
    public NDArray value() {
        return value;
    }

    /** Replaces the value with an array of the same shape (in forward layout); returns the previous one. */
    public NDArray set(NDArray newValue) {
        if (!newValue.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException(name + ": shape " + newValue.getShape() + " does not match "
                    + value.getShape());
        }
        NDArray old = value;
        value = newValue;
        return old;
    }

    /** Whether the value is still the one the parameter was created with (nothing merged or replaced). */
    public boolean isOriginal() {
        return value == original;
    }

    public boolean transposed() {
        return transposed;
    }

    /** Name of the parameter this one shares storage with, or null. */
    public String tiedTo() {
        return tiedTo;
    }

    /** Shape as the checkpoint stores it. */
    public long[] checkpointShape() {
        long[] s = value.getShape().getShape();
        if (transposed) {
            return new long[] {s[1], s[0]};
        }
        return s;
    }

    /** The value in checkpoint layout (a transposed view when held transposed; contiguous copies are the caller's). */
    public NDArray checkpointValue() {
        return transposed ? value.transpose() : value;
    }

    public long numel() {
        return value.getShape().size();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(checkpointShape()) + (tiedTo != null ? " tied to " + tiedTo : "");
    }
}
