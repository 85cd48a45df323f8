package org.lorafoundry.evaluator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.engine.finetune.FineTuneResult;
import org.lorafoundry.engine.finetune.FineTuneRun;
import org.lorafoundry.engine.finetune.FineTuneSpec;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.train.LrSchedule;
import org.lorafoundry.evaluator.domain.MeasuredMetrics;
import org.lorafoundry.evaluator.gate.Gate;
import org.lorafoundry.evaluator.gate.GateVerdict;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.testkit.ClasspathDirectories;

/**
 * The real model side of the evaluator, with the gate: adapters trained by the engine on the committed tiny Llama and
 * judged by {@link EngineModelEvaluator} + {@link Gate} as the service judges them.
 * <ul>
 *   <li>an adapter trained on a task passes a policy that requires improvement over the base model, and an untrained
 *       (zero-step) adapter fails it;</li>
 *   <li>the forgetting check catches an adapter trained to damage general text.</li>
 * </ul>
 */
class EngineModelEvaluatorIT {

    private static final Set<String> ALL = Set.of(MetricNames.VALIDATION_LOSS, MetricNames.PERPLEXITY,
            MetricNames.EXACT_MATCH, MetricNames.TOKEN_F1, MetricNames.REFERENCE_PERPLEXITY,
            MetricNames.REFERENCE_PERPLEXITY_BASE, MetricNames.FORGETTING);

    /** The task must be learnt: exact match at least 0.8 and at least 0.5 above the base model's. */
    private static final GatePolicy REQUIRES_IMPROVEMENT = GatePolicy.newBuilder()
            .addThresholds(MetricThreshold.newBuilder().setMetricName(MetricNames.EXACT_MATCH)
                    .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.8))
                    .setChangeThreshold(ChangeThreshold.newBuilder()
                            .setDirection(MetricDirection.METRIC_DIRECTION_HIGHER_IS_BETTER).setAbsoluteSlack(-0.5)))
            .build();
    /** General text may get at most 5% more perplexing with the adapter on. */
    private static final GatePolicy NO_FORGETTING = GatePolicy.newBuilder()
            .addThresholds(MetricThreshold.newBuilder().setMetricName(MetricNames.FORGETTING)
                    .setValueThreshold(ValueThreshold.newBuilder().setUpperBound(0.05)))
            .build();

    @TempDir
    static Path dir;
    static Path base;
    static Path task;
    static Path heldOut;
    static Path reference;

    @BeforeAll
    static void data() throws Exception {
        base = ClasspathDirectories.copy("fixtures/llama", dir.resolve("base"));
        // A task the tiny random model can learn: answer every question with " yes".
        task = write("task.jsonl", rows(64, 1));
        heldOut = write("held-out.jsonl", rows(16, 2));
        try (InputStream in = EngineModelEvaluatorIT.class.getResourceAsStream("/reference/general-text.jsonl")) {
            reference = dir.resolve("reference.jsonl");
            Files.copy(in, reference);
        }
    }

    @Test
    void aTrainedAdapterPassesAPolicyRequiringImprovementAndAnUntrainedOneFailsIt() throws Exception {
        Path trained = train("trained", task, 80, 1e-2);
        Path untrained = train("untrained", task, 0, 1e-2);

        MeasuredMetrics good = measure(trained);
        MeasuredMetrics useless = measure(untrained);
        GateVerdict passed = Gate.evaluate(REQUIRES_IMPROVEMENT, good.candidate(), good.baseline());
        GateVerdict failed = Gate.evaluate(REQUIRES_IMPROVEMENT, useless.candidate(), useless.baseline());
        System.out.printf("[gate] trained: exact_match %.3f vs base %.3f, validation_loss %.3f vs %.3f -> %s%n",
                good.candidate().get("exact_match"), good.baseline().get("exact_match"),
                good.candidate().get("validation_loss"), good.baseline().get("validation_loss"), passed.summary());
        System.out.printf("[gate] untrained: exact_match %.3f vs base %.3f -> %s%n",
                useless.candidate().get("exact_match"), useless.baseline().get("exact_match"), failed.summary());

        assertThat(passed.verdict()).isEqualTo(Verdict.VERDICT_PASSED);
        assertThat(failed.verdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(good.candidate().get(MetricNames.VALIDATION_LOSS))
                .isLessThan(good.baseline().get(MetricNames.VALIDATION_LOSS));
        // B = 0: the untrained adapter is the base model, to the last digit of every metric.
        assertThat(useless.candidate().get(MetricNames.VALIDATION_LOSS))
                .isEqualTo(useless.baseline().get(MetricNames.VALIDATION_LOSS));
    }

    @Test
    void theForgettingCheckCatchesAnAdapterTrainedToDamageGeneralText() throws Exception {
        Path damaging = train("damaging", write("monotone.jsonl", monotone(64)), 60, 5e-2);

        MeasuredMetrics damaged = measure(damaging);
        GateVerdict verdict = Gate.evaluate(NO_FORGETTING, damaged.candidate(), damaged.baseline());
        System.out.printf("[forgetting] reference perplexity %.2f with the adapter vs %.2f without: forgetting %.3f "
                + "-> %s%n", damaged.candidate().get(MetricNames.REFERENCE_PERPLEXITY),
                damaged.candidate().get(MetricNames.REFERENCE_PERPLEXITY_BASE),
                damaged.candidate().get(MetricNames.FORGETTING), verdict.summary());

        assertThat(damaged.candidate().get(MetricNames.FORGETTING)).isGreaterThan(0.2);
        assertThat(verdict.verdict()).isEqualTo(Verdict.VERDICT_FAILED);
        assertThat(damaged.baseline().get(MetricNames.FORGETTING)).isZero(); // the base model against itself
    }

    private static MeasuredMetrics measure(Path adapter) throws Exception {
        EvaluationInputs inputs = new EvaluationInputs(base, adapter, new BaselineModel.BaseModel(),
                new EvaluationData(heldOut, DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION, List.of(),
                        OptionalDouble.empty()),
                new ReferenceData(reference, DatasetFormat.DATASET_FORMAT_TEXT, "platform default reference text"),
                ALL, new EvaluationSettings(16, 30, new GenerationSettings(4, List.of(), 0, OptionalDouble.empty()),
                        List.of(), 2), 7);
        ModelEvaluation evaluation = new EngineModelEvaluator().evaluate(inputs, EvaluationProgress.IGNORED);
        assertThat(evaluation.examples()).hasSize(2);
        assertThat(evaluation.examplesEvaluated()).isEqualTo(16);
        return MeasuredMetrics.of(evaluation, true, Duration.ofSeconds(1));
    }

    private static Path train(String name, Path data, int steps, double lr) {
        Path out = dir.resolve("runs/" + name);
        FineTuneSpec.Builder spec = FineTuneSpec.builder().baseModel(base).trainData(data)
                .lora(LoraConfig.builder().r(8).loraAlpha(16).targetModulesRegex("all-linear").build())
                .learningRate(lr).schedule(LrSchedule.CONSTANT).batchSize(8).maxSeqLength(48).seed(3);
        try (FineTuneRun run = FineTuneRun.prepare(spec.maxSteps(Math.max(steps, 1)).build(), out)) {
            if (steps == 0) {
                // Zero steps: the freshly created adapter (B = 0), saved as the run would save it.
                run.model().saveAdapter(FineTuneRun.ADAPTER_NAME, out.resolve("untrained"));
                return out.resolve("untrained");
            }
            FineTuneResult result = run.train(null, null, null);
            return result.adapterDirectory().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rows(int count, long seed) {
        String[] words = {"river", "garden", "window", "market", "letter", "silver", "harbor", "candle", "forest",
                "ladder", "pocket", "meadow", "bridge", "kettle", "button", "valley"};
        Random random = new Random(seed);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < count; i++) {
            jsonl.append("{\"prompt\": \"Is the ").append(words[random.nextInt(words.length)]).append(' ')
                    .append(words[random.nextInt(words.length)]).append(" here?\", \"completion\": \" yes\"}\n");
        }
        return jsonl.toString();
    }

    /** Text of one repeated digit: an adapter trained on it predicts that digit everywhere, general text suffers. */
    private static String monotone(int count) {
        String text = "9 ".repeat(30).trim();
        return ("{\"text\": \"" + text + "\"}\n").repeat(count);
    }

    private static Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
