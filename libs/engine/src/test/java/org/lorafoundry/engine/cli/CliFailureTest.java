package org.lorafoundry.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.data.DatasetException;
import org.lorafoundry.engine.eval.EvaluationException;
import org.lorafoundry.engine.finetune.FineTuneException;
import org.lorafoundry.engine.lora.LoraConfigException;
import org.lorafoundry.engine.lora.UnsupportedLoraConfigException;
import org.lorafoundry.engine.model.ModelConfigException;
import org.lorafoundry.engine.model.UnsupportedArchitectureException;
import org.lorafoundry.engine.safetensors.SafetensorsFormatException;
import org.lorafoundry.engine.tokenizer.ChatTemplateException;

/** The engine's typed exceptions become the documented codes and exit codes. */
class CliFailureTest {

    private static void assertMaps(Throwable error, String code, ExitCode exit) {
        CliFailure f = CliFailure.of(error);
        assertThat(f.code()).as(error.toString()).isEqualTo(code);
        assertThat(f.exitCode()).as(error.toString()).isEqualTo(exit);
        assertThat(f.getCause()).isSameAs(error);
    }

    @Test
    void fineTuneCodesKeepTheirNameAndGetTheirExitCode() {
        assertMaps(new FineTuneException(FineTuneException.Code.BAD_DATA, "x"), "BAD_DATA", ExitCode.BAD_INPUT);
        assertMaps(new FineTuneException(FineTuneException.Code.BASE_MODEL_UNREADABLE, "x"), "BASE_MODEL_UNREADABLE",
                ExitCode.BAD_INPUT);
        assertMaps(new FineTuneException(FineTuneException.Code.UNSUPPORTED_CONFIG, "x"), "UNSUPPORTED_CONFIG",
                ExitCode.UNSUPPORTED);
        assertMaps(new FineTuneException(FineTuneException.Code.DIVERGED, "x"), "DIVERGED", ExitCode.DIVERGED);
        assertMaps(new FineTuneException(FineTuneException.Code.STORAGE_ERROR, "x"), "STORAGE_ERROR",
                ExitCode.STORAGE);
        assertMaps(new FineTuneException(FineTuneException.Code.OUT_OF_MEMORY, "x"), "OUT_OF_MEMORY",
                ExitCode.OUT_OF_MEMORY);
        assertMaps(new FineTuneException(FineTuneException.Code.INTERNAL, "x"), "INTERNAL", ExitCode.INTERNAL);
        for (FineTuneException.Code code : FineTuneException.Code.values()) {
            assertThat(CliFailure.exitCode(code)).isNotEqualTo(ExitCode.OK);
        }
    }

    @Test
    void engineExceptionsByType() {
        assertMaps(new UnsupportedArchitectureException("mistral", Path.of("config.json")), "UNSUPPORTED_CONFIG",
                ExitCode.UNSUPPORTED);
        assertMaps(new UnsupportedLoraConfigException("use_dora"), "UNSUPPORTED_CONFIG", ExitCode.UNSUPPORTED);
        assertMaps(new ModelConfigException("rope_type 'yarn'"), "UNSUPPORTED_MODEL", ExitCode.UNSUPPORTED);
        assertMaps(new LoraConfigException("matches nothing"), "LORA_CONFIG", ExitCode.UNSUPPORTED);
        assertMaps(new DatasetException("f:2: bad"), "BAD_DATA", ExitCode.BAD_INPUT);
        assertMaps(new EvaluationException("no labels"), "EVALUATION_REFUSED", ExitCode.BAD_INPUT);
        assertMaps(new ChatTemplateException("raise"), "CHAT_TEMPLATE", ExitCode.BAD_INPUT);
        assertMaps(new SafetensorsFormatException("corrupt"), "BAD_SAFETENSORS", ExitCode.BAD_INPUT);
        assertMaps(new NoSuchFileException("x.jsonl"), "BAD_INPUT", ExitCode.BAD_INPUT);
        assertMaps(new IOException("disk full"), "IO_ERROR", ExitCode.STORAGE);
        assertMaps(new IllegalArgumentException("prompt too long"), "BAD_INPUT", ExitCode.BAD_INPUT);
        assertMaps(new OutOfMemoryError("Java heap space"), "OUT_OF_MEMORY", ExitCode.OUT_OF_MEMORY);
        assertMaps(new RuntimeException("DefaultCPUAllocator: not enough memory"), "OUT_OF_MEMORY",
                ExitCode.OUT_OF_MEMORY);
        assertMaps(new NullPointerException("bug"), "INTERNAL", ExitCode.INTERNAL);
    }

    @Test
    void aCommandsOwnFailureIsKept() {
        CliFailure own = CliFailure.badInput("--base x does not exist");
        assertThat(CliFailure.of(own)).isSameAs(own);
    }

    @Test
    void exitCodesAreTheDocumentedOnes() {
        assertThat(ExitCode.values()).extracting(ExitCode::code).containsExactly(0, 1, 2, 3, 4, 5, 6, 70, 130);
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.run();
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(run.err()).contains("error: USAGE: a command is required", "train", "inspect");
        CliRun help = CliRun.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Exit codes: 0 ok, 1 usage", "130 cancelled");
    }
}
