package org.lorafoundry.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code engine merge}: base + adapter into one Hugging Face model directory ({@code LoraModel.saveMerged}), what
 * PEFT's {@code merge_and_unload().save_pretrained()} writes. The directory appears complete or not at all: it is written
 * under a hidden temporary name and renamed into place.
 */
@Command(name = "merge", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Merge a PEFT adapter into its base model and write a plain Hugging Face model directory "
                + "(config.json, model.safetensors in F32, tokenizer files): AutoModelForCausalLM and this engine "
                + "load it without PEFT."},
        footer = {"", "Example:",
            "  engine merge --base models/llama --adapter runs/dates/adapter \\",
            "      --output models/llama-dates"})
final class MergeCommand implements Callable<Integer> {

    @ParentCommand
    EngineCommand root;

    @Option(names = "--base", paramLabel = "DIR", required = true,
            description = "Hugging Face model directory.")
    Path base;

    @Option(names = "--adapter", paramLabel = "DIR", required = true, description = "PEFT adapter directory.")
    Path adapter;

    @Option(names = "--output", paramLabel = "DIR", required = true,
            description = "The merged model's directory (must not exist, unless --overwrite).")
    Path output;

    @Option(names = "--overwrite", description = "Replace an existing OUTPUT directory.")
    boolean overwrite;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        run.applyThreads();
        if (Files.exists(output) && !overwrite) {
            throw new CliFailure(ExitCode.BAD_INPUT, "OUTPUT_EXISTS", output + " already exists",
                    List.of("replace it: add --overwrite", "or choose another --output"), null);
        }
        EngineConsole console = root.console();
        ProgressDisplay display = ProgressDisplay.of(console, run.quiet);
        Path target = output.toAbsolutePath().normalize();
        Path staging = OutputDirectories.staging(target);
        try (LoadedModel loaded = LoadedModel.open(base, adapter)) {
            display.line("merging " + adapter + " into " + base);
            try {
                Files.createDirectories(target.getParent());
                loaded.model().saveMerged(loaded.adapter(), staging);
                OutputDirectories.publish(staging, target);
            } catch (IOException e) {
                throw new CliFailure(ExitCode.STORAGE, "STORAGE_ERROR", "cannot write the merged model to " + output
                        + ": " + e.getMessage(), List.of(), e);
            } finally {
                OutputDirectories.delete(staging);
            }
            Result result = new Result(output.toString(), loaded.model().base().config().modelType(),
                    loaded.model().base().parameterCount(), files(target));
            if (run.json) {
                JsonOutput.print(console.out(), result);
            } else {
                console.out().println(String.format(Locale.ROOT, "merged model: %s (%s, %,d parameters, F32)",
                        result.output(), result.modelType(), result.parameters()));
                console.out().println("files: " + String.join(", ", result.files()));
                console.out().flush();
            }
        }
        return ExitCode.OK.code();
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** {@code --json}: where the merged model is. */
    record Result(String output, String modelType, long parameters, List<String> files) {
    }
}
