package org.lorafoundry.engine.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import org.lorafoundry.engine.data.DatasetException;
import org.lorafoundry.engine.eval.EvaluationException;
import org.lorafoundry.engine.finetune.FineTuneException;
import org.lorafoundry.engine.lora.LoraConfigException;
import org.lorafoundry.engine.lora.UnsupportedLoraConfigException;
import org.lorafoundry.engine.model.ModelConfigException;
import org.lorafoundry.engine.model.UnsupportedArchitectureException;
import org.lorafoundry.engine.safetensors.SafetensorsFormatException;
import org.lorafoundry.engine.tokenizer.ChatTemplateException;

/**
 * A failure as the {@code engine} command reports it: {@code error: <CODE>: <message>} on stderr (then any detail
 * lines, indented) and an {@link ExitCode}. Commands throw it for what they check themselves; {@link #of(Throwable)} turns
 * the engine's typed exceptions into one.
 */
public final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;
    private final ExitCode exitCode;
    private final List<String> details;

    public CliFailure(ExitCode exitCode, String code, String message, List<String> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.exitCode = exitCode;
        this.details = List.copyOf(details);
    }

    public CliFailure(ExitCode exitCode, String code, String message) {
        this(exitCode, code, message, List.of(), null);
    }

    /** A file or directory the command line names cannot be used as it is. */
    public static CliFailure badInput(String message) {
        return new CliFailure(ExitCode.BAD_INPUT, "BAD_INPUT", message);
    }

    /** The engine's exceptions by type (and {@link FineTuneException}'s code); anything unknown is INTERNAL. */
    public static CliFailure of(Throwable error) {
        if (error instanceof CliFailure failure) {
            return failure;
        }
        if (error instanceof FineTuneException f) {
            return new CliFailure(exitCode(f.code()), f.code().name(), f.getMessage(), List.of(), f);
        }
        if (FineTuneException.isOutOfMemory(error)) {
            return fail(ExitCode.OUT_OF_MEMORY, "OUT_OF_MEMORY", error.getMessage()
                    + " (a smaller model, batch or max sequence length needs less)", error);
        }
        if (error instanceof UnsupportedArchitectureException
                || error instanceof UnsupportedLoraConfigException) {
            return fail(ExitCode.UNSUPPORTED, "UNSUPPORTED_CONFIG", error.getMessage(), error);
        }
        if (error instanceof ModelConfigException) {
            // A config.json the engine cannot run: a variant it does not implement, or a broken file.
            return fail(ExitCode.UNSUPPORTED, "UNSUPPORTED_MODEL", error.getMessage(), error);
        }
        if (error instanceof LoraConfigException) {
            return fail(ExitCode.UNSUPPORTED, "LORA_CONFIG", error.getMessage(), error);
        }
        if (error instanceof DatasetException) {
            return fail(ExitCode.BAD_INPUT, "BAD_DATA", error.getMessage(), error);
        }
        if (error instanceof EvaluationException) {
            // The data does not hold what a metric needs (answers for exact match, labels for accuracy).
            return fail(ExitCode.BAD_INPUT, "EVALUATION_REFUSED", error.getMessage(), error);
        }
        if (error instanceof ChatTemplateException) {
            return fail(ExitCode.BAD_INPUT, "CHAT_TEMPLATE", error.getMessage(), error);
        }
        if (error instanceof SafetensorsFormatException) {
            return fail(ExitCode.BAD_INPUT, "BAD_SAFETENSORS", error.getMessage(), error);
        }
        if (error instanceof NoSuchFileException || error instanceof FileNotFoundException) {
            return fail(ExitCode.BAD_INPUT, "BAD_INPUT", "no such file: " + error.getMessage(), error);
        }
        if (error instanceof AccessDeniedException) {
            return fail(ExitCode.BAD_INPUT, "BAD_INPUT", "permission denied: " + error.getMessage(), error);
        }
        if (error instanceof IOException) {
            return fail(ExitCode.STORAGE, "IO_ERROR", error.getMessage(), error);
        }
        if (error instanceof IllegalArgumentException) {
            // The engine's argument checks (a prompt longer than the context, token ids outside the vocabulary).
            return fail(ExitCode.BAD_INPUT, "BAD_INPUT", error.getMessage(), error);
        }
        return fail(ExitCode.INTERNAL, "INTERNAL", error + " (a bug; the stack trace follows)", error);
    }

    private static CliFailure fail(ExitCode exitCode, String code, String message, Throwable cause) {
        return new CliFailure(exitCode, code, message, List.of(), cause);
    }

    static ExitCode exitCode(FineTuneException.Code code) {
        return switch (code) {
            case BAD_DATA, BASE_MODEL_UNREADABLE -> ExitCode.BAD_INPUT;
            case UNSUPPORTED_CONFIG -> ExitCode.UNSUPPORTED;
            case DIVERGED -> ExitCode.DIVERGED;
            case STORAGE_ERROR -> ExitCode.STORAGE;
            case OUT_OF_MEMORY -> ExitCode.OUT_OF_MEMORY;
            case INTERNAL -> ExitCode.INTERNAL;
        };
    }

    /** Machine-readable, UPPER_SNAKE: the engine's own code where it has one ({@link FineTuneException.Code}). */
    public String code() {
        return code;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    /** Further lines for a person (what to do next). */
    public List<String> details() {
        return details;
    }
}
