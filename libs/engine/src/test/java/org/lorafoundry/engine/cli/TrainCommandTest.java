package org.lorafoundry.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.finetune.FineTuneSpec;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.lora.ModuleSelector;
import org.lorafoundry.engine.train.LrSchedule;
import picocli.CommandLine;

/** {@code engine train}'s options map onto {@link FineTuneSpec} (nothing is trained here). */
class TrainCommandTest {
    private static final List<String> REQUIRED = List.of("train", "--base", "models/llama", "--train", "t.jsonl",
            "--output", "runs/x");

    @TempDir
    Path dir;

    static FineTuneSpec spec(List<String> args) {
        CommandLine cl = EngineCli.commandLine(CliRun.quietConsole());
        String[] expanded = ConfigFileArguments.expand(args.toArray(String[]::new),
                cl.getSubcommands().get("train").getCommandSpec());
        CommandLine.ParseResult parsed = cl.parseArgs(expanded);
        return ((TrainCommand) parsed.subcommand().commandSpec().userObject()).spec();
    }

    static List<String> with(String... more) {
        List<String> args = new ArrayList<>(REQUIRED);
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void defaultsAreTheEngineDefaults() {
        FineTuneSpec expected = FineTuneSpec.builder().baseModel(Path.of("models/llama"))
                .trainData(Path.of("t.jsonl")).build();
        assertThat(spec(REQUIRED)).isEqualTo(expected);
        assertThat(expected.lora()).isEqualTo(LoraConfig.defaults());
    }

    @Test
    void everyOptionReachesItsField() {
        FineTuneSpec s = spec(with("--validation", "v.jsonl", "--reference", "r.jsonl", "--r", "16",
                "--lora-alpha", "32", "--lora-dropout", "0.05", "--target-modules", "q_proj,v_proj",
                "--exclude-modules", "model.layers.0.self_attn.q_proj", "--modules-to-save", "lm_head",
                "--bias", "lora_only", "--use-rslora", "--init-lora-weights", "gaussian", "--lr", "3e-3",
                "--max-steps", "600", "--batch-size", "32", "--grad-accum", "4", "--max-seq-length", "128",
                "--seed", "7", "--schedule", "COSINE", "--warmup-steps", "5", "--warmup-ratio", "0.1",
                "--weight-decay", "0.1", "--max-grad-norm", "0.5", "--adam-beta1", "0.8", "--adam-beta2", "0.95",
                "--adam-epsilon", "1e-6", "--packing", "--no-completion-only-loss", "--eval-every", "100",
                "--checkpoint-every", "50", "--checkpoints-to-keep", "2", "--kl-weight", "1.5",
                "--reference-every", "3", "--reference-batch-size", "6"));
        assertThat(s.validationData()).isEqualTo(Path.of("v.jsonl"));
        assertThat(s.referenceData()).isEqualTo(Path.of("r.jsonl"));
        assertThat(s.lora()).isEqualTo(LoraConfig.builder().r(16).loraAlpha(32).loraDropout(0.05)
                .targetModules("q_proj", "v_proj")
                .excludeModules(ModuleSelector.names("model.layers.0.self_attn.q_proj")).modulesToSave("lm_head")
                .bias(LoraConfig.Bias.LORA_ONLY).useRslora(true).initLoraWeights("gaussian").build());
        assertThat(s.learningRate()).isEqualTo(3e-3);
        assertThat(s.maxSteps()).isEqualTo(600);
        assertThat(s.epochs()).isZero();
        assertThat(s.batchSize()).isEqualTo(32);
        assertThat(s.gradientAccumulationSteps()).isEqualTo(4);
        assertThat(s.maxSeqLength()).isEqualTo(128);
        assertThat(s.seed()).isEqualTo(7);
        assertThat(s.schedule()).isEqualTo(LrSchedule.COSINE);
        assertThat(s.warmupSteps()).isEqualTo(5);
        assertThat(s.warmupRatio()).isEqualTo(0.1);
        assertThat(s.weightDecay()).isEqualTo(0.1);
        assertThat(s.maxGradNorm()).isEqualTo(0.5);
        assertThat(s.beta1()).isEqualTo(0.8);
        assertThat(s.beta2()).isEqualTo(0.95);
        assertThat(s.epsilon()).isEqualTo(1e-6);
        assertThat(s.packing()).isTrue();
        assertThat(s.completionOnlyLoss()).isFalse();
        assertThat(s.evalEverySteps()).isEqualTo(100);
        assertThat(s.checkpointEverySteps()).isEqualTo(50);
        assertThat(s.checkpointsToKeep()).isEqualTo(2);
        assertThat(s.klWeight()).isEqualTo(1.5);
        assertThat(s.referenceEverySteps()).isEqualTo(3);
        assertThat(s.referenceBatchSize()).isEqualTo(6);
    }

    @Test
    void huggingFaceAliasesMeanTheSame() {
        assertThat(spec(List.of("train", "--base", "m", "--train", "t", "--output", "o",
                "--learning-rate", "0.01", "--num-train-epochs", "2.5", "--per-device-train-batch-size", "4",
                "--gradient-accumulation-steps", "2", "--lr-scheduler-type", "constant", "--eval-steps", "10",
                "--save-steps", "20", "--save-total-limit", "1", "--lora-r", "4")))
                .isEqualTo(FineTuneSpec.builder().baseModel(Path.of("m")).trainData(Path.of("t"))
                        .learningRate(0.01).epochs(2.5).batchSize(4).gradientAccumulationSteps(2)
                        .schedule(LrSchedule.CONSTANT).evalEverySteps(10).checkpointEverySteps(20)
                        .checkpointsToKeep(1).lora(LoraConfig.builder().r(4).build()).build());
    }

    @Test
    void targetModulesTakeListsAllLinearAndRegexes() {
        assertThat(spec(with("--target-modules", "q_proj", "--target-modules", "o_proj")).lora().targetModules())
                .isEqualTo(ModuleSelector.names("q_proj", "o_proj"));
        assertThat(spec(with("--target-modules", "all-linear")).lora().targetModules())
                .isEqualTo(ModuleSelector.allLinear());
        assertThat(spec(with("--target-modules-regex", ".*\\.(q|v)_proj")).lora().targetModules())
                .isEqualTo(ModuleSelector.regex(".*\\.(q|v)_proj"));
        assertThat(spec(REQUIRED).lora().targetModules()).isNull();
    }

    @Test
    void maxStepsReplacesEpochsAsInHuggingFace() {
        FineTuneSpec s = spec(with("--epochs", "2", "--max-steps", "50"));
        assertThat(s.maxSteps()).isEqualTo(50);
        assertThat(s.epochs()).isZero();
        assertThat(spec(with("--epochs", "0.5")).epochs()).isEqualTo(0.5);
    }

    @Test
    void invalidValuesAreUsageErrorsNamingTheField() {
        CliRun lr = CliRun.run(with("--lr", "0").toArray(String[]::new));
        assertThat(lr.exitCode()).as(lr.toString()).isEqualTo(ExitCode.USAGE.code());
        assertThat(lr.err()).contains("error: USAGE: ", "learningRate must be > 0");

        CliRun rank = CliRun.run(with("--r", "0").toArray(String[]::new));
        assertThat(rank.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(rank.err()).contains("r must be a positive integer");

        CliRun both = CliRun.run(with("--target-modules", "q_proj", "--target-modules-regex", ".*").toArray(
                String[]::new));
        assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(both.err()).contains("not both");

        CliRun schedule = CliRun.run(with("--schedule", "exponential").toArray(String[]::new));
        assertThat(schedule.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(schedule.err()).contains("CONSTANT", "LINEAR", "COSINE");

        CliRun threads = CliRun.run(with("--threads", "0").toArray(String[]::new));
        assertThat(threads.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(threads.err()).contains("--threads must be at least 1");

        CliRun unknown = CliRun.run(with("--learnin-rate", "1").toArray(String[]::new));
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(unknown.err()).contains("Unknown options: '--learnin-rate'",
                "Possible solutions: --learning-rate");
    }

    @Test
    void aConfigFileGivesOptionsAndTheCommandLineWins() throws IOException {
        Path config = Files.writeString(dir.resolve("run.json"), """
                {"lr": 0.003, "target_modules": ["q_proj", "o_proj"], "packing": true,
                 "completion-only-loss": false, "max-steps": 7, "lora-alpha": 16, "use-rslora": false,
                 "validation": "v.jsonl"}
                """);
        FineTuneSpec s = spec(with("--config", config.toString(), "--lr", "0.01", "--target-modules", "v_proj"));
        assertThat(s.learningRate()).isEqualTo(0.01);
        assertThat(s.lora().targetModules()).isEqualTo(ModuleSelector.names("v_proj"));
        assertThat(s.packing()).isTrue();
        assertThat(s.completionOnlyLoss()).isFalse();
        assertThat(s.maxSteps()).isEqualTo(7);
        assertThat(s.lora().loraAlpha()).isEqualTo(16);
        assertThat(s.lora().useRslora()).isFalse();
        assertThat(s.validationData()).isEqualTo(Path.of("v.jsonl"));

        FineTuneSpec fromFile = spec(with("--config=" + config));
        assertThat(fromFile.learningRate()).isEqualTo(0.003);
        assertThat(fromFile.lora().targetModules()).isEqualTo(ModuleSelector.names("q_proj", "o_proj"));
    }

    @Test
    void aConfigFileWithUnknownKeysOrWrongValuesIsRefused() throws IOException {
        Path unknown = Files.writeString(dir.resolve("unknown.json"), "{\"learning_rte\": 1}");
        CliRun run = CliRun.run(with("--config", unknown.toString()).toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(run.err()).contains("'learning_rte' is not an option of train", "lora-alpha", "max-steps",
                "batch-size");

        Path flag = Files.writeString(dir.resolve("flag.json"), "{\"packing\": \"yes\"}");
        assertThat(CliRun.run(with("--config", flag.toString()).toArray(String[]::new)).err())
                .contains("'packing' is a flag: give true or false");

        Path notJson = Files.writeString(dir.resolve("bad.json"), "{lr: 1}");
        CliRun bad = CliRun.run(with("--config", notJson.toString()).toArray(String[]::new));
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(bad.err()).contains("is not valid JSON");

        CliRun missing = CliRun.run(with("--config", dir.resolve("nope.json").toString()).toArray(String[]::new));
        assertThat(missing.exitCode()).isEqualTo(ExitCode.BAD_INPUT.code());
        assertThat(missing.err()).contains("--config", "does not exist");
    }
}
