package org.lorafoundry.trainer.service;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.finetune.CheckpointListener;
import org.lorafoundry.engine.finetune.FineTuneException;
import org.lorafoundry.engine.finetune.FineTuneResult;
import org.lorafoundry.engine.finetune.FineTuneRun;
import org.lorafoundry.engine.finetune.FineTuneSpec;
import org.lorafoundry.engine.finetune.ProgressListener;
import org.lorafoundry.engine.train.LrSchedule;
import org.lorafoundry.proto.v1.Hyperparameters;
import org.lorafoundry.proto.v1.TrainingErrorCode;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.trainer.config.TrainerConfig;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/**
 * The engine's fine-tuning run ({@link FineTuneRun}) for a task: the job's hyperparameters and LoRA config as a
 * {@link FineTuneSpec}, on this worker's device, resumed from a checkpoint when there is one, with the engine's typed
 * failures as the platform's codes.
 */
@ApplicationScoped
public class EngineTrainer {

    private final TrainerConfig config;

    EngineTrainer(TrainerConfig config) {
        this.config = config;
    }

    /**
     * Trains to the end of the job's plan, or until {@code stop} answers true between steps.
     *
     * @param resume a verified local copy of the job's latest checkpoint, if any
     * @param started told the total steps and the step resumed from, before the first step
     */
    public FineTuneResult train(TrainingTask task, TaskInputs inputs, Optional<Path> resume, Path workDir,
            Device device, Started started, ProgressListener progress, CheckpointListener checkpoints,
            BooleanSupplier stop) throws TrainingFailure {
        FineTuneSpec spec = spec(task, inputs);
        try (NDManager manager = EngineRuntime.engine().newBaseManager(device);
             FineTuneRun run = FineTuneRun.prepare(spec, workDir.resolve("run"), manager)) {
            resume.ifPresent(run::resumeFrom);
            started.started(run.totalSteps());
            return run.train(progress, checkpoints, stop);
        } catch (FineTuneException e) {
            throw failure(e);
        } catch (RuntimeException | OutOfMemoryError e) {
            throw classify(e);
        }
    }

    /** Told once the run is planned. */
    @FunctionalInterface
    public interface Started {
        void started(int totalSteps);
    }

    FineTuneSpec spec(TrainingTask task, TaskInputs inputs) throws TrainingFailure {
        Hyperparameters h = task.getSpec().getHyperparameters();
        FineTuneSpec.Builder spec = FineTuneSpec.builder()
                .baseModel(inputs.baseModel())
                .trainData(inputs.train())
                .validationData(inputs.validation().orElse(null))
                .lora(LoraConfigMapping.toEngine(task.getSpec().getLora(), task.getBaseModel().getName()));
        if (h.hasLearningRate()) {
            spec.learningRate(h.getLearningRate());
        }
        if (h.hasWeightDecay()) {
            spec.weightDecay(h.getWeightDecay());
        }
        if (h.hasMaxGradNorm()) {
            spec.maxGradNorm(h.getMaxGradNorm());
        }
        spec.schedule(switch (h.getLrScheduler()) {
            case LR_SCHEDULER_COSINE -> LrSchedule.COSINE;
            case LR_SCHEDULER_CONSTANT -> LrSchedule.CONSTANT;
            default -> LrSchedule.LINEAR;
        });
        if (h.hasWarmupSteps()) {
            spec.warmupSteps((int) h.getWarmupSteps());
        } else if (h.hasWarmupRatio()) {
            spec.warmupRatio(h.getWarmupRatio());
        }
        switch (h.getLengthCase()) {
            case MAX_STEPS -> spec.maxSteps(Math.toIntExact(h.getMaxSteps()));
            case EPOCHS -> spec.epochs(h.getEpochs());
            default -> spec.epochs(1);
        }
        if (h.hasPerDeviceBatchSize()) {
            spec.batchSize(h.getPerDeviceBatchSize());
        }
        if (h.hasGradientAccumulationSteps()) {
            spec.gradientAccumulationSteps(h.getGradientAccumulationSteps());
        }
        if (h.hasMaxSeqLength()) {
            spec.maxSeqLength(h.getMaxSeqLength());
        }
        if (h.hasSeed()) {
            spec.seed(h.getSeed());
        }
        if (h.hasPacking()) {
            spec.packing(h.getPacking());
        }
        if (h.hasCompletionOnlyLoss()) {
            spec.completionOnlyLoss(h.getCompletionOnlyLoss());
        }
        if (h.hasEvalEverySteps()) {
            spec.evalEverySteps((int) h.getEvalEverySteps());
        }
        spec.checkpointEverySteps(h.hasCheckpointEverySteps() ? (int) h.getCheckpointEverySteps()
                : config.defaultCheckpointEverySteps());
        spec.checkpointsToKeep(1); // older ones are in the blob store; the worker's disk keeps only the newest
        if (h.hasForgetting() && h.getForgetting().getKlWeight() > 0) {
            var forgetting = h.getForgetting();
            if (inputs.reference().isEmpty()) {
                throw new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_UNSUPPORTED_CONFIG,
                        "forgetting.kl_weight " + forgetting.getKlWeight() + " needs a reference dataset, and the "
                                + "task resolved none");
            }
            spec.klWeight(forgetting.getKlWeight());
            if (forgetting.hasReferenceEverySteps()) {
                spec.referenceEverySteps(forgetting.getReferenceEverySteps());
            }
            if (forgetting.hasReferenceBatchSize()) {
                spec.referenceBatchSize(forgetting.getReferenceBatchSize());
            }
        }
        inputs.reference().ifPresent(spec::referenceData);
        try {
            return spec.build();
        } catch (FineTuneException e) {
            throw failure(e);
        }
    }

    static TrainingFailure failure(FineTuneException e) {
        TrainingErrorCode code = TrainingErrorCode.valueOf("TRAINING_ERROR_CODE_" + e.code().name());
        return new TrainingFailure(code, e.getMessage(), e);
    }

    /** An unexpected error as a typed failure: memory exhaustion is OUT_OF_MEMORY, anything else INTERNAL. */
    static TrainingFailure classify(Throwable e) {
        if (FineTuneException.isOutOfMemory(e)) {
            return new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_OUT_OF_MEMORY,
                    "training ran out of memory (" + e.getMessage() + "); try a smaller per_device_batch_size, "
                            + "max_seq_length or rank", e);
        }
        if (e instanceof FineTuneException fine) {
            return failure(fine);
        }
        return new TrainingFailure(TrainingErrorCode.TRAINING_ERROR_CODE_INTERNAL,
                "internal error in the trainer: " + e, e);
    }
}
