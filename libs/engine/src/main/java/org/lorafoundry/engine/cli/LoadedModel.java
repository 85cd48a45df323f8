package org.lorafoundry.engine.cli;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.finetune.FineTuneRun;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.tokenizer.HfTokenizer;

/**
 * A base model with its tokenizer and, optionally, one PEFT adapter (loaded as {@value #ADAPTER_NAME}, PEFT's name
 * for a model's only adapter): what {@code eval}, {@code generate} and {@code merge} work on. Closing it frees
 * everything.
 *
 * @param adapter the adapter's name in {@code model}, or null when only the base model was asked for
 */
record LoadedModel(NDManager manager, LoraModel model, HfTokenizer tokenizer, Path baseDir, String adapter)
        implements AutoCloseable {
    static final String ADAPTER_NAME = FineTuneRun.ADAPTER_NAME;

    /**
     * @param adapterDir a PEFT adapter directory, or null for the base model alone
     * @throws CliFailure {@code BASE_MODEL_UNREADABLE} / {@code ADAPTER_UNREADABLE} when files are missing or broken;
     *     the engine's typed exceptions (unsupported architecture, LoRA config) pass through
     */
    static LoadedModel open(Path baseDir, Path adapterDir) {
        InputPaths.directory(baseDir, "--base");
        if (adapterDir != null) {
            InputPaths.directory(adapterDir, "--adapter");
        }
        NDManager manager = EngineRuntime.newManager();
        LoraModel model = null;
        HfTokenizer tokenizer = null;
        try {
            try {
                model = LoraModel.load(baseDir, manager);
                tokenizer = HfTokenizer.load(baseDir);
            } catch (IOException e) {
                throw new CliFailure(ExitCode.BAD_INPUT, "BASE_MODEL_UNREADABLE", "cannot load the base model "
                        + baseDir + ": " + e.getMessage(), List.of(), e);
            }
            if (adapterDir != null) {
                try {
                    model.loadAdapter(ADAPTER_NAME, adapterDir);
                } catch (IOException e) {
                    throw new CliFailure(ExitCode.BAD_INPUT, "ADAPTER_UNREADABLE", "cannot load the adapter "
                            + adapterDir + ": " + e.getMessage(), List.of(), e);
                }
            }
            return new LoadedModel(manager, model, tokenizer, baseDir, adapterDir == null ? null : ADAPTER_NAME);
        } catch (RuntimeException | Error e) {
            if (tokenizer != null) {
                tokenizer.close();
            }
            if (model != null) {
                model.close();
            }
            manager.close();
            throw e;
        }
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
        manager.close();
    }
}
