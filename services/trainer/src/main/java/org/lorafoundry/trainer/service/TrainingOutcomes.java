package org.lorafoundry.trainer.service;

import org.lorafoundry.engine.finetune.FineTuneProgress;
import org.lorafoundry.engine.finetune.FineTuneResult;
import org.lorafoundry.engine.finetune.LossPoint;
import org.lorafoundry.proto.v1.CurvePoint;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.TrainingProgress;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.TrainingTask;

import com.google.protobuf.Duration;

/** The engine's figures as the events of {@code foundry.training.events} carry them. */
final class TrainingOutcomes {

    /** Enough for a chart; the event stays small whatever the run's length. */
    static final int MAX_CURVE_POINTS = 200;

    private TrainingOutcomes() {
    }

    static TrainingProgress progress(TrainingTask task, String attemptId, FineTuneProgress p) {
        TrainingProgress.Builder progress = TrainingProgress.newBuilder().setJobId(task.getJobId())
                .setTeam(task.getTeam()).setAttemptId(attemptId).setStep(p.step()).setTotalSteps(p.totalSteps())
                .setEpoch(p.epoch()).setLoss(p.loss()).setLearningRate(p.learningRate()).setGradNorm(p.gradNorm())
                .setTokensPerSecond(p.tokensPerSecond()).setEtaSeconds(Math.round(p.etaSeconds())).setTokensSeen(p.tokensSeen());
        p.validationLoss().ifPresent(progress::setValidationLoss);
        p.klDivergence().ifPresent(progress::setKlDivergence);
        p.referencePerplexity().ifPresent(progress::setReferencePerplexity);
        return progress.build();
    }

    static TrainingSucceeded succeeded(TrainingTask task, String attemptId, String workerId, TrainingDevice device,
            DirectoryRef adapter, FineTuneResult result, int attempt) {
        TrainingSucceeded.Builder succeeded = TrainingSucceeded.newBuilder().setJobId(task.getJobId())
                .setTeam(task.getTeam()).setAttemptId(attemptId).setTask(task).setAdapter(adapter)
                .putAllFinalMetrics(result.metrics())
                .setTrainableParameters(result.parameters().trainable()).setTotalParameters(result.parameters().total())
                .setDuration(Duration.newBuilder().setSeconds(result.duration().getSeconds())
                        .setNanos(result.duration().getNano())).setSteps(result.steps())
                .setEpochs(result.epochs()).setTokensTrained(result.tokensTrained()).setWorkerId(workerId)
                .setDevice(device.description()).setAttempt(attempt).setEngineVersion(device.engineVersion());
        for (LossPoint point : LossCurves.downsample(result.lossCurve(), MAX_CURVE_POINTS)) {
            CurvePoint.Builder curve = CurvePoint.newBuilder().setStep(point.step()).setLoss(point.loss());
            point.validationLoss().ifPresent(curve::setValidationLoss);
            succeeded.addLossCurve(curve);
        }
        return succeeded.build();
    }
}
