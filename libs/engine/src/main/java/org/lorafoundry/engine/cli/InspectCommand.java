package org.lorafoundry.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.lorafoundry.engine.lora.LoraConfigJson;
import org.lorafoundry.engine.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code engine inspect}: what a model directory, an adapter directory or a safetensors file holds. */
@Command(name = "inspect", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Show what a model directory, an adapter directory or a safetensors file holds.",
            "A model (config.json): architecture, config, parameter count, linear modules (what target_modules "
                + "matches), weights, tokenizer. An adapter (adapter_config.json): its LoraConfig, adapted modules "
                + "and ranks, PEFT's parameter counts on --base. A .safetensors file or "
                + "model.safetensors.index.json: the tensor table."},
        footer = {"", "Examples:",
            "  engine inspect models/llama --modules",
            "  engine inspect runs/dates/adapter --base models/llama",
            "  engine inspect models/llama/model.safetensors --json"})
final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    EngineCommand root;

    @Parameters(paramLabel = "PATH", description = "Model directory, adapter directory or safetensors file.")
    Path path;

    @Option(names = "--base", paramLabel = "DIR",
            description = "Adapters: load the adapter onto this base model for PEFT's parameter counts (default: its "
                    + "base_model_name_or_path, when that is a directory here).")
    Path base;

    @Option(names = "--modules", description = "Models: every linear module on a line of its own (default: one line "
            + "per kind).")
    boolean allModules;

    @Option(names = "--tensors", description = "Models: also the tensor table of the weights.")
    boolean tensors;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        run.applyThreads();
        EngineConsole console = root.console();
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve(LoraConfigJson.FILE_NAME))) {
            AdapterInspection adapter = AdapterInspection.of(path, baseFor(path));
            print(console, adapter, adapter::render);
        } else if (Files.isDirectory(path) && Files.isRegularFile(path.resolve(ModelConfig.FILE_NAME))) {
            ModelInspection model = ModelInspection.of(path);
            if (run.json) {
                JsonOutput.print(console.out(), tensors ? new ModelWithTensors(model,
                        TensorTable.read(Path.of(model.weights()))) : model);
            } else {
                console.out().print(model.render(allModules));
                if (tensors) {
                    console.out().print(TensorTable.read(Path.of(model.weights())).render());
                }
            }
        } else if (Files.isRegularFile(path)) {
            TensorTable table = TensorTable.read(path);
            print(console, table, table::render);
        } else {
            throw CliFailure.badInput(path + (Files.isDirectory(path) ? " holds neither config.json (a model) nor "
                    + "adapter_config.json (a PEFT adapter)" : " does not exist"));
        }
        console.out().flush();
        return ExitCode.OK.code();
    }

    /** {@code --base}, else the adapter's {@code base_model_name_or_path} if that names a directory here. */
    private Path baseFor(Path adapterDir) throws IOException {
        if (base != null) {
            return InputPaths.directory(base, "--base");
        }
        String named = LoraConfigJson.read(adapterDir).baseModelNameOrPath();
        if (named == null) {
            return null;
        }
        Path candidate = Path.of(named);
        return Files.isRegularFile(candidate.resolve(ModelConfig.FILE_NAME)) ? candidate : null;
    }

    private void print(EngineConsole console, Object value, Supplier<String> text) {
        if (run.json) {
            JsonOutput.print(console.out(), value);
        } else {
            console.out().print(text.get());
        }
    }

    /** {@code --json --tensors} on a model. */
    record ModelWithTensors(ModelInspection model, TensorTable tensors) {
    }
}
