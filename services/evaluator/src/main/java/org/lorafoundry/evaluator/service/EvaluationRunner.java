package org.lorafoundry.evaluator.service;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.util.Durations;

import org.lorafoundry.evaluator.config.EvaluatorConfig;
import org.lorafoundry.evaluator.domain.EvaluationPlan;
import org.lorafoundry.evaluator.domain.MeasuredMetrics;
import org.lorafoundry.evaluator.domain.MetricPlan;
import org.lorafoundry.evaluator.gate.Gate;
import org.lorafoundry.evaluator.gate.GateVerdict;
import org.lorafoundry.evaluator.model.EvaluationException;
import org.lorafoundry.evaluator.model.EvaluationInputs;
import org.lorafoundry.evaluator.model.EvaluationProgress;
import org.lorafoundry.evaluator.model.EvaluationSettings;
import org.lorafoundry.evaluator.model.GenerationSettings;
import org.lorafoundry.evaluator.model.ModelEvaluation;
import org.lorafoundry.evaluator.model.ModelEvaluator;
import org.lorafoundry.evaluator.persistence.EvaluationRecord;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationErrorCode;
import org.lorafoundry.proto.v1.EvaluationSpec;
import org.lorafoundry.proto.v1.GenerationConfig;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of an evaluation, start to verdict: stage the inputs (verified), let the {@link ModelEvaluator} measure
 * candidate and baseline, add the derived metrics, apply the gate. Nothing here touches the database or Kafka; the
 * outcome is made durable by {@link EvaluationCompletion}. The run's work directory is deleted whatever happens.
 */
@ApplicationScoped
public class EvaluationRunner {

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationRunner.class);

    private final InputStager stager;
    private final ModelEvaluator modelEvaluator;
    private final EvaluatorConfig config;

    EvaluationRunner(InputStager stager, ModelEvaluator modelEvaluator, EvaluatorConfig config) {
        this.stager = stager;
        this.modelEvaluator = modelEvaluator;
        this.config = config;
    }

    public RunOutcome run(Claim claim) {
        EvaluationRecord evaluation = claim.evaluation();
        Path workDir = config.workDir().resolve(claim.token().toString());
        long start = System.nanoTime();
        try {
            return evaluate(evaluation, claim.plan(), workDir, start);
        } catch (EvaluationException e) {
            return new RunOutcome.Failed(e.code(), e.getMessage());
        } catch (OutOfMemoryError e) {
            return new RunOutcome.Failed(EvaluationErrorCode.EVALUATION_ERROR_CODE_OUT_OF_MEMORY, "out of memory while "
                    + "evaluating (" + e.getMessage() + "); lower spec.evaluation.max_eval_examples, "
                    + "max_reference_examples or generation.max_new_tokens, or give the evaluator more memory");
        } catch (RuntimeException e) {
            LOG.error("Evaluation of job {} failed unexpectedly", evaluation.jobId(), e);
            return new RunOutcome.Failed(EvaluationErrorCode.EVALUATION_ERROR_CODE_INTERNAL,
                    "the evaluator failed unexpectedly: " + e);
        } finally {
            try {
                BlobDirectories.deleteRecursively(workDir);
            } catch (IOException e) {
                LOG.warn("Cannot delete the work directory {}: {}", workDir, e.toString());
            }
        }
    }

    private RunOutcome evaluate(EvaluationRecord evaluation, EvaluationPlan plan, Path workDir, long start)
            throws EvaluationException {
        TrainingSucceeded training = evaluation.training();
        StagedInputs inputs = stager.stage(training, plan.baseline(), workDir);
        EvaluationSpec spec = training.getTask().getSpec().getEvaluation();
        MetricPlan metrics = MetricPlan.of(spec, plan.policy().policy(),
                !inputs.evaluationData().labelValues().isEmpty() || !spec.getLabelSetList().isEmpty());

        long modelStart = System.nanoTime();
        ModelEvaluation measured = modelEvaluator.evaluate(new EvaluationInputs(inputs.baseModel(),
                inputs.candidateAdapter(), inputs.baseline(), inputs.evaluationData(), inputs.referenceData(),
                metrics.fromModel(), settings(spec, inputs), training.getTask().getSpec().getHyperparameters().getSeed()),
                progress(evaluation));
        Duration modelTime = Duration.ofNanos(System.nanoTime() - modelStart);

        MeasuredMetrics all = MeasuredMetrics.of(measured, plan.baseline().exists(), modelTime);
        GateVerdict verdict = Gate.evaluate(plan.policy().policy(), all.candidate(), all.baseline());
        EvaluationCompleted completed = EvaluationCompleted.newBuilder().setJobId(evaluation.jobId())
                .setTeam(evaluation.team()).setAdapterName(evaluation.adapterName()).setVerdict(verdict.verdict())
                .putAllCandidateMetrics(all.candidate())
                .putAllBaselineMetrics(all.baseline() == null ? Map.of() : all.baseline())
                .setBaseline(plan.baseline().baseline()).addAllThresholdResults(verdict.results())
                .setTraining(training).setAttemptId(evaluation.attemptId())
                .setExamplesEvaluated(measured.examplesEvaluated())
                .setReferenceExamplesEvaluated(measured.referenceExamplesEvaluated())
                .setDuration(Durations.fromNanos(System.nanoTime() - start)).setSummary(verdict.summary()).build();
        return new RunOutcome.Completed(completed, measured.examples(), metrics);
    }

    /** EvaluationSpec with this service's defaults for what it leaves unset (non-positive caps count as unset). */
    EvaluationSettings settings(EvaluationSpec spec, StagedInputs inputs) {
        EvaluatorConfig.Limits limits = config.limits();
        GenerationConfig generation = spec.getGeneration();
        GenerationSettings generationSettings = new GenerationSettings(
                generation.hasMaxNewTokens() && generation.getMaxNewTokens() > 0 ? generation.getMaxNewTokens()
                        : limits.maxNewTokens(),
                generation.getStopSequencesList(), generation.hasTemperature() ? generation.getTemperature() : 0,
                generation.hasTopP() ? OptionalDouble.of(generation.getTopP()) : OptionalDouble.empty());
        List<String> labels = spec.getLabelSetCount() > 0 ? spec.getLabelSetList() : inputs.evaluationData().labelValues();
        return new EvaluationSettings(
                spec.hasMaxEvalExamples() && spec.getMaxEvalExamples() > 0 ? spec.getMaxEvalExamples()
                        : limits.maxEvalExamples(),
                spec.hasMaxReferenceExamples() && spec.getMaxReferenceExamples() > 0 ? spec.getMaxReferenceExamples()
                        : limits.maxReferenceExamples(),
                generationSettings, labels, limits.reportExamples());
    }

    private static EvaluationProgress progress(EvaluationRecord evaluation) {
        return (phase, done, total) -> LOG.debug("Evaluation of job {}: {} {}/{}", evaluation.jobId(), phase, done, total);
    }
}
