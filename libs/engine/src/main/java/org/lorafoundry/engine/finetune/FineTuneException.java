package org.lorafoundry.engine.finetune;

import java.util.Locale;

/**
 * Why a fine-tuning run could not start or finish, with a message a person can act on and a {@link Code} that maps
 * one to one onto the platform's {@code TrainingErrorCode}.
 */
public class FineTuneException extends RuntimeException {

    /** The platform's training error codes (proto {@code TrainingErrorCode}, without its prefix). */
    public enum Code {
        /** Host or device memory ran out: a smaller batch, {@code max_seq_length} or rank may help. */
        OUT_OF_MEMORY,
        /** The data cannot be trained on: unreadable or invalid rows, nothing left to learn after truncation. */
        BAD_DATA,
        /** The loss or the gradient norm became NaN/Inf. */
        DIVERGED,
        /** The base model (config, weights, tokenizer) cannot be read. */
        BASE_MODEL_UNREADABLE,
        /** Something in the spec the engine does not run (LoRA option, architecture, an invalid value). */
        UNSUPPORTED_CONFIG,
        /** Writing the adapter or a checkpoint, or handing a checkpoint over, failed. */
        STORAGE_ERROR,
        /** Anything else: a bug. */
        INTERNAL
    }

    private final Code code;
    private final int step;

    public FineTuneException(Code code, String message) {
        this(code, message, -1, null);
    }

    public FineTuneException(Code code, String message, Throwable cause) {
        this(code, message, -1, cause);
    }

    /**
     * @param step the optimizer step it failed at (1-based), or -1 when it failed before training
     */
    public FineTuneException(Code code, String message, int step, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.step = step;
    }

    public Code code() {
        return code;
    }

    /** The optimizer step it failed at (1-based), or -1 when it failed before training started. */
    public int step() {
        return step;
    }

    /**
     * Whether {@code t} (or a cause) is memory exhaustion: a Java {@link OutOfMemoryError}, or libtorch's allocator
     * failing ({@code "out of memory"}, CPU's {@code "DefaultCPUAllocator: not enough memory"}, {@code "can't allocate
     * memory"}), which DJL raises as an {@code EngineException}.
     */
    public static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            String m = c.getMessage();
            if (m != null) {
                String lower = m.toLowerCase(Locale.ROOT);
                if (lower.contains("out of memory") || lower.contains("not enough memory")
                        || lower.contains("can't allocate memory") || lower.contains("cannot allocate memory")) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "FineTuneException[" + code + (step > 0 ? " at step " + step : "") + "]: " + getMessage();
    }
}
