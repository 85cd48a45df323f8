package org.lorafoundry.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lorafoundry.engine.eval.EvaluationOptions;
import org.lorafoundry.engine.eval.GenerationConfig;
import org.lorafoundry.engine.eval.LabelSet;
import org.lorafoundry.engine.eval.Metric;
import picocli.CommandLine;

/** {@code generate}'s and {@code eval}'s options map onto {@link GenerationConfig} / {@link EvaluationOptions}. */
class GenerationAndEvaluationOptionsTest {

    private static Object command(String... args) {
        CommandLine.ParseResult parsed = EngineCli.commandLine(CliRun.quietConsole()).parseArgs(args);
        return parsed.subcommand().commandSpec().userObject();
    }

    private static GenerateCommand generate(String... more) {
        String[] args = new String[more.length + 3];
        args[0] = "generate";
        args[1] = "--base";
        args[2] = "m";
        System.arraycopy(more, 0, args, 3, more.length);
        return (GenerateCommand) command(args);
    }

    @Test
    void generationDefaultsAreTheEngineDefaults() {
        GenerateCommand c = generate("Hello");
        assertThat(c.generation.toConfig()).isEqualTo(GenerationConfig.builder().build());
        assertThat(c.prompt).isEqualTo("Hello");
        assertThat(c.chat).isNull();
        assertThat(c.adapter).isNull();
    }

    @Test
    void everyGenerationOptionReachesItsField() {
        GenerateCommand c = generate("--adapter", "a", "--max-new-tokens", "16", "--temperature", "0.7",
                "--top-p", "0.9", "--top-k", "50", "--stop", "\\n", "--stop", "END", "--seed", "3", "Hi");
        assertThat(c.generation.toConfig()).isEqualTo(GenerationConfig.builder().maxNewTokens(16).temperature(0.7)
                .topP(0.9).topK(50).stopSequences("\n", "END").seed(3).build());
        assertThat(c.adapter).hasToString("a");
    }

    @Test
    void stopSequencesUnderstandShellEscapes() {
        assertThat(GenerationOptions.unescape("a\\nb\\tc\\\\n\\x")).isEqualTo("a\nb\tc\\n\\x");
    }

    @Test
    void aPromptOrAConversationExactlyOne() {
        assertThat(generate("--chat", "[]").chat).isEqualTo("[]");
        CliRun both = CliRun.run("generate", "--base", "m", "--chat", "[]", "Hi");
        assertThat(both.exitCode()).as(both.toString()).isEqualTo(ExitCode.USAGE.code());
        assertThat(both.err()).contains("error: USAGE: give a PROMPT or --chat MESSAGES, not both");
        CliRun none = CliRun.run("generate", "--base", "m");
        assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(none.err()).contains("error: USAGE: give a PROMPT or --chat MESSAGES\n");
    }

    @Test
    void invalidGenerationValuesAreUsageErrors() {
        CliRun topP = CliRun.run("generate", "--base", "m", "--top-p", "0", "Hi");
        assertThat(topP.exitCode()).as(topP.toString()).isEqualTo(ExitCode.USAGE.code());
        assertThat(topP.err()).contains("error: USAGE: invalid generation option: topP must be in (0, 1]");
        CliRun tokens = CliRun.run("generate", "--base", "m", "--max-new-tokens", "0", "Hi");
        assertThat(tokens.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(tokens.err()).contains("maxNewTokens must be at least 1");
    }

    @Test
    void evaluationOptionsMapOntoEvaluationOptions() {
        EvalCommand c = (EvalCommand) command("eval", "--base", "m", "--data", "d.jsonl", "--metrics",
                "exact_match,LOSS,token_f1", "--labels", "positive,negative", "--max-examples", "20", "--shuffle",
                "5", "--max-seq-length", "256", "--batch-size", "4", "--samples", "2", "--max-new-tokens", "8",
                "--stop", "\\n");
        EvaluationOptions expected = EvaluationOptions.builder().metrics(EnumSet.of(Metric.EXACT_MATCH, Metric.LOSS,
                Metric.TOKEN_F1)).labels(new LabelSet(List.of("positive", "negative"))).maxExamples(20).shuffle(5)
                .maxSeqLength(256).batchSize(4).samples(2)
                .generation(GenerationConfig.builder().maxNewTokens(8).stopSequences("\n").build()).build();
        assertThat(c.options()).isEqualTo(expected);
    }

    @Test
    void evaluationDefaultsAreTheEngineDefaults() {
        EvalCommand c = (EvalCommand) command("eval", "--base", "m", "--data", "d.jsonl");
        assertThat(c.options()).isEqualTo(EvaluationOptions.builder().build());
        CliRun metric = CliRun.run("eval", "--base", "m", "--data", "d", "--metrics", "bleu");
        assertThat(metric.exitCode()).isEqualTo(ExitCode.USAGE.code());
        assertThat(metric.err()).contains("EXACT_MATCH", "TOKEN_F1");
    }
}
