package org.lorafoundry.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.lorafoundry.engine.finetune.DataSummary;
import org.lorafoundry.engine.finetune.FineTuneException;
import org.lorafoundry.engine.finetune.FineTuneResult;
import org.lorafoundry.engine.finetune.FineTuneRun;
import org.lorafoundry.engine.finetune.FineTuneSpec;
import org.lorafoundry.engine.lora.LoraAdapter;
import org.lorafoundry.engine.lora.ParameterCount;
import org.lorafoundry.engine.train.LrSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code engine train}: JSONL to a PEFT adapter ({@link FineTuneRun}), with a progress bar, checkpoints, exact resume
 * and Ctrl-C. The options are {@link FineTuneSpec}'s fields under Hugging Face / PEFT names; {@link #spec()} maps
 * them.
 */
@Command(name = "train", sortOptions = false, usageHelpAutoWidth = true,
        description = {"Fine-tune a LoRA adapter on JSONL data (text, prompt/completion or chat rows) and write it in "
                + "PEFT's format to OUTPUT/adapter.",
            "Checkpoints go to OUTPUT/checkpoints/checkpoint-<step>; Ctrl-C stops after the current step, and "
                + "--resume latest continues exactly where the newest checkpoint left off."},
        footer = {"", "Example:",
            "  engine train --base models/llama --output runs/dates \\",
            "      --train train.jsonl --validation valid.jsonl \\",
            "      --r 8 --lora-alpha 16 --target-modules all-linear \\",
            "      --lr 3e-3 --schedule cosine --warmup-ratio 0.05 \\",
            "      --max-steps 600 --batch-size 32 --eval-every 100 --checkpoint-every 100"})
final class TrainCommand implements Callable<Integer> {
    static final String LATEST = "latest";

    @Spec
    CommandSpec spec;

    @ParentCommand
    EngineCommand root;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A JSON object of option names to values ({\"lr\": 3e-3, \"target-modules\": "
                    + "[\"q_proj\", \"v_proj\"]}); options on the command line win.")
    Path config;

    @Option(names = "--base", paramLabel = "DIR", required = true,
            description = "Hugging Face model directory (config.json, safetensors, tokenizer.json).")
    Path base;

    @Option(names = "--train", paramLabel = "JSONL", required = true, description = "Training data.")
    Path train;

    @Option(names = "--validation", paramLabel = "JSONL",
            description = "Validation data: loss every --eval-every steps and at the end.")
    Path validation;

    @Option(names = "--reference", paramLabel = "JSONL",
            description = "General text the adapter should not forget: KL(base || adapter) is measured on it, and "
                    + "trained on with --kl-weight > 0.")
    Path reference;

    @Option(names = "--output", paramLabel = "DIR", required = true,
            description = "Where adapter/ and checkpoints/ go.")
    Path output;

    @Mixin
    LoraOptions lora;

    @Option(names = {"--lr", "--learning-rate"}, paramLabel = "LR", defaultValue = "2e-4",
            description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = {"--epochs", "--num-train-epochs"}, paramLabel = "N", defaultValue = "3",
            description = "Passes over the training data, may be fractional (default: ${DEFAULT-VALUE}).")
    double epochs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
            description = "Optimizer steps; when > 0 it replaces --epochs, as in Hugging Face.")
    int maxSteps;

    @Option(names = {"--batch-size", "--per-device-train-batch-size"}, paramLabel = "N", defaultValue = "8",
            description = "Rows per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"--grad-accum", "--gradient-accumulation-steps"}, paramLabel = "N", defaultValue = "1",
            description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradientAccumulationSteps;

    @Option(names = "--max-seq-length", paramLabel = "N", defaultValue = "1024",
            description = "Longer examples are cut (default: ${DEFAULT-VALUE}).")
    int maxSeqLength;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
            description = "Data order, adapter initialisation and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"--schedule", "--lr-scheduler-type"}, paramLabel = "NAME", defaultValue = "linear",
            description = "Learning-rate decay after warmup: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LrSchedule schedule;

    @Option(names = "--warmup-steps", paramLabel = "N", defaultValue = "0",
            description = "Linear warmup steps; wins over --warmup-ratio when > 0.")
    int warmupSteps;

    @Option(names = "--warmup-ratio", paramLabel = "R", defaultValue = "0",
            description = "Warmup as a fraction of the total steps.")
    double warmupRatio;

    @Option(names = "--weight-decay", paramLabel = "WD", defaultValue = "0",
            description = "AdamW's decoupled weight decay (not on biases and norms) (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "NORM", defaultValue = "1.0",
            description = "Gradient clipping by global norm; 0 = off (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--adam-beta1", paramLabel = "B1", defaultValue = "0.9", description = "(default: "
            + "${DEFAULT-VALUE})")
    double adamBeta1;

    @Option(names = "--adam-beta2", paramLabel = "B2", defaultValue = "0.999", description = "(default: "
            + "${DEFAULT-VALUE})")
    double adamBeta2;

    @Option(names = "--adam-epsilon", paramLabel = "EPS", defaultValue = "1e-8", description = "(default: "
            + "${DEFAULT-VALUE})")
    double adamEpsilon;

    @Option(names = "--packing", description = "Concatenate short examples into rows of up to --max-seq-length.")
    boolean packing;

    @Option(names = "--completion-only-loss", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Learn only completions / assistant turns (TRL's default); --no-completion-only-loss "
                    + "learns every token.")
    boolean completionOnlyLoss;

    @Option(names = {"--eval-every", "--eval-steps"}, paramLabel = "N", defaultValue = "0",
            description = "Validation every N steps; 0 = only at the end.")
    int evalEvery;

    @Option(names = {"--checkpoint-every", "--save-steps"}, paramLabel = "N", defaultValue = "0",
            description = "A resumable checkpoint every N steps; 0 = none.")
    int checkpointEvery;

    @Option(names = {"--checkpoints-to-keep", "--save-total-limit"}, paramLabel = "N", defaultValue = "0",
            description = "Newest checkpoints kept; 0 = all.")
    int checkpointsToKeep;

    @Option(names = "--kl-weight", paramLabel = "W", defaultValue = "0",
            description = "Weight of KL(base || adapter) on --reference batches in the loss; 0 = measured only.")
    double klWeight;

    @Option(names = "--reference-every", paramLabel = "N", defaultValue = "1",
            description = "A reference batch every N steps (default: ${DEFAULT-VALUE}).")
    int referenceEvery;

    @Option(names = "--reference-batch-size", paramLabel = "N",
            description = "Rows per reference batch (default: --batch-size).")
    Integer referenceBatchSize;

    @Option(names = {"--resume", "--resume-from-checkpoint"}, paramLabel = "CHECKPOINT",
            description = "Continue from a checkpoint directory, or 'latest' (the newest under OUTPUT/checkpoints). "
                    + "The other options must be those of the interrupted run.")
    String resume;

    @Option(names = "--overwrite-output-dir",
            description = "Delete OUTPUT's adapter/ and checkpoints/ from an earlier run first.")
    boolean overwriteOutputDir;

    @Option(names = {"--log-every", "--logging-steps"}, paramLabel = "N", defaultValue = "0",
            description = "Without a terminal, a progress line every N steps (default: about 20 lines per run).")
    int logEvery;

    @Mixin
    RunOptions run;

    /** The FineTuneSpec of these options; invalid values are a usage error naming the field. */
    FineTuneSpec spec() {
        FineTuneSpec.Builder b = FineTuneSpec.builder().baseModel(base).trainData(train).validationData(validation)
                .referenceData(reference).lora(lora.toConfig()).learningRate(learningRate).weightDecay(weightDecay)
                .betas(adamBeta1, adamBeta2).epsilon(adamEpsilon).maxGradNorm(maxGradNorm).schedule(schedule)
                .warmupSteps(warmupSteps).warmupRatio(warmupRatio).batchSize(batchSize)
                .gradientAccumulationSteps(gradientAccumulationSteps).maxSeqLength(maxSeqLength).seed(seed)
                .packing(packing).completionOnlyLoss(completionOnlyLoss).evalEverySteps(evalEvery)
                .checkpointEverySteps(checkpointEvery).checkpointsToKeep(checkpointsToKeep).klWeight(klWeight)
                .referenceEverySteps(referenceEvery);
        if (maxSteps > 0) {
            b.maxSteps(maxSteps);
        } else {
            b.epochs(epochs);
        }
        if (referenceBatchSize != null) {
            b.referenceBatchSize(referenceBatchSize);
        }
        try {
            return b.build();
        } catch (FineTuneException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() {
        EngineConsole console = root.console();
        run.applyThreads();
        FineTuneSpec fineTune = spec();
        InputPaths.directory(base, "--base");
        InputPaths.file(train, "--train");
        InputPaths.optionalFile(validation, "--validation");
        InputPaths.optionalFile(reference, "--reference");
        Path checkpoint = checkpointToResume();
        if (checkpoint == null) {
            clearEarlierRun();
        }
        ProgressDisplay display = ProgressDisplay.of(console, run.quiet);
        display.line("loading " + base + " and the data");
        try (FineTuneRun fineTuneRun = FineTuneRun.prepare(fineTune, output)) {
            if (checkpoint != null) {
                fineTuneRun.resumeFrom(checkpoint);
            }
            describePlan(display, fineTuneRun, checkpoint);
            TrainingProgressView view = new TrainingProgressView(display, logEvery);
            FineTuneResult result;
            try (CancelSignal.Watch cancel = console.cancelSignal().watch(() -> console.err().println(
                    "\nstopping after the current step (Ctrl-C again stops at once)"))) {
                result = fineTuneRun.train(view, (step, dir) -> display.line("saved " + dir), cancel);
            } finally {
                view.finish();
            }
            if (result.cancelled()) {
                return cancelled(console, result);
            }
            report(console, result, fineTuneRun.parameterCount());
            return ExitCode.OK.code();
        }
    }

    /** The checkpoint {@code --resume} names, or null without it. */
    private Path checkpointToResume() {
        if (resume == null) {
            return null;
        }
        if (resume.equals(LATEST)) {
            return FineTuneRun.latestCheckpoint(output).orElseThrow(() -> CliFailure.badInput("--resume latest: no "
                    + "checkpoint under " + output.resolve(FineTuneRun.CHECKPOINTS_DIR) + " (a run writes them with "
                    + "--checkpoint-every N)"));
        }
        return InputPaths.directory(Path.of(resume), "--resume");
    }

    /**
     * A fresh run must not mix with an earlier run's files: its checkpoints would be taken for this run's by
     * {@code --resume latest}. Refused unless {@code --overwrite-output-dir} (Hugging Face's rule).
     */
    private void clearEarlierRun() {
        List<Path> earlier = Stream.of(FineTuneRun.ADAPTER_DIR, FineTuneRun.CHECKPOINTS_DIR).map(output::resolve)
                .filter(Files::exists).toList();
        if (earlier.isEmpty()) {
            return;
        }
        if (!overwriteOutputDir) {
            throw new CliFailure(ExitCode.BAD_INPUT, "OUTPUT_NOT_EMPTY", output + " holds an earlier run ("
                    + String.join(", ", earlier.stream().map(p -> p.getFileName().toString()).toList()) + ")",
                    List.of("continue it: add --resume latest", "or start over: add --overwrite-output-dir",
                        "or choose another --output"), null);
        }
        for (Path p : earlier) {
            try {
                OutputDirectories.delete(p);
            } catch (IOException e) {
                throw new CliFailure(ExitCode.STORAGE, "STORAGE_ERROR", "cannot delete " + p + ": " + e.getMessage(),
                        List.of(), e);
            }
        }
    }

    private void describePlan(ProgressDisplay display, FineTuneRun fineTuneRun, Path checkpoint) {
        FineTuneSpec s = fineTuneRun.spec();
        DataSummary data = fineTuneRun.data();
        LoraAdapter adapter = fineTuneRun.model().adapter(FineTuneRun.ADAPTER_NAME);
        display.line("base: " + s.baseModel() + " (" + fineTuneRun.model().base().config().modelType() + ", "
                + fineTuneRun.model().base().config().numLayers() + " layers)");
        display.line(String.format(Locale.ROOT, "data: %d training examples (%d truncated, %d dropped), %d "
                + "validation, %d reference", data.trainExamples(), data.truncatedExamples(), data.droppedExamples(),
                data.validationExamples(), data.referenceExamples()));
        display.line(String.format(Locale.ROOT, "LoRA: r=%d alpha=%s dropout %s on %d modules (%s); %s",
                s.lora().r(), TextTable.number(s.lora().loraAlpha()), TextTable.number(s.lora().loraDropout()),
                adapter.layers().size(), moduleKinds(adapter), fineTuneRun.parameterCount()));
        display.line(String.format(Locale.ROOT, "plan: %d steps, warmup %d, lr %s %s, batch %d x %d accumulated, "
                + "max %d tokens%s", fineTuneRun.totalSteps(), fineTuneRun.warmupSteps(),
                TextTable.number(s.learningRate()), s.schedule().name().toLowerCase(Locale.ROOT), s.batchSize(),
                s.gradientAccumulationSteps(), s.maxSeqLength(), s.checkpointEverySteps() > 0
                        ? ", a checkpoint every " + s.checkpointEverySteps() + " steps" : ""));
        if (checkpoint != null) {
            display.line("resuming from " + checkpoint);
        }
    }

    /** {@code q_proj, v_proj}: the distinct last name segments of the adapted modules. */
    private static String moduleKinds(LoraAdapter adapter) {
        return String.join(", ", adapter.layers().keySet().stream()
                .map(name -> name.substring(name.lastIndexOf('.') + 1)).distinct().toList());
    }

    private int cancelled(EngineConsole console, FineTuneResult result) {
        Optional<Path> latest = FineTuneRun.latestCheckpoint(output);
        console.err().println("cancelled at step " + result.steps() + " of " + result.totalSteps() + "; no adapter "
                + "was written.");
        if (latest.isPresent()) {
            console.err().println("latest checkpoint: " + latest.get());
            console.err().println("continue: the same command with --resume latest");
        } else {
            console.err().println("no checkpoint was written (--checkpoint-every N writes them): a new run starts "
                    + "over.");
        }
        console.err().flush();
        if (run.json) {
            JsonOutput.print(console.out(), Report.of(result, latest.orElse(null)));
        }
        return ExitCode.CANCELLED.code();
    }

    private void report(EngineConsole console, FineTuneResult result, ParameterCount parameters) {
        if (run.json) {
            JsonOutput.print(console.out(), Report.of(result, null));
            return;
        }
        Path adapter = result.adapterDirectory().orElseThrow();
        StringBuilder s = new StringBuilder();
        s.append("adapter: ").append(adapter).append('\n');
        s.append(parameters).append('\n');
        s.append(String.format(Locale.ROOT, "steps %d/%d%s, %.2f epochs, %,d tokens, %s%n", result.steps(),
                result.totalSteps(), result.resumedFromStep() > 0 ? " (resumed from " + result.resumedFromStep() + ")"
                        : "", result.epochs(), result.tokensTrained(),
                TrainingProgressView.duration(result.duration().toMillis() / 1000.0)));
        TextTable table = TextTable.of("METRIC", "VALUE");
        result.metrics().forEach((k, v) -> table.row(k, String.format(Locale.ROOT, "%.6g", v)));
        s.append(table.render());
        console.out().print(s);
        console.out().flush();
    }

    /** {@code --json}: what the run did. */
    record Report(String outcome, String adapter, String latestCheckpoint, int steps, int totalSteps,
            int resumedFromStep, double epochs, long tokensTrained, ParameterCount parameters, Map<String, Double> metrics,
            List<CurvePoint> lossCurve, DataSummary data, double seconds) {

        static Report of(FineTuneResult r, Path latestCheckpoint) {
            return new Report(r.outcome().name(), r.adapterDirectory().map(Path::toString).orElse(null),
                    latestCheckpoint == null ? null : latestCheckpoint.toString(), r.steps(),
                    r.totalSteps(), r.resumedFromStep(), r.epochs(), r.tokensTrained(), r.parameters(), r.metrics(),
                    r.lossCurve().stream().map(p -> new CurvePoint(p.step(), p.loss(),
                            p.validationLoss().isPresent() ? p.validationLoss().getAsDouble() : null)).toList(),
                    r.data(), r.duration().toMillis() / 1000.0);
        }
    }

    /** One step of the loss curve; the validation loss where one was measured. */
    record CurvePoint(int step, double loss, Double validationLoss) {
    }
}
