package org.lorafoundry.engine.finetune;

import java.nio.file.Path;
import org.lorafoundry.engine.lora.LoraConfig;
import org.lorafoundry.engine.train.LrSchedule;

/**
 * Everything a fine-tuning run needs, with the meanings of Hugging Face's {@code TrainingArguments} / TRL's
 * {@code SFTConfig} (and the platform's {@code Hyperparameters}): where the base model and the JSONL data are, the
 * {@link LoraConfig}, the optimizer and schedule, the run's length, batching, evaluation, checkpoints and the
 * forgetting term. Invalid values are refused with {@link FineTuneException.Code#UNSUPPORTED_CONFIG}.
 *
 * @param baseModel Hugging Face model directory (config.json, safetensors, tokenizer.json)
 * @param trainData training JSONL (text, prompt/completion or chat rows)
 * @param validationData validation JSONL, or null (then no validation loss)
 * @param referenceData general-text JSONL for the forgetting term and its measures, or null
 * @param lora the adapter to create
 * @param learningRate peak rate (after warmup)
 * @param weightDecay AdamW's decoupled decay, on LoRA and copied matrices only (not biases or norms)
 * @param maxGradNorm clipping by global norm; 0 = none
 * @param schedule decay after warmup
 * @param warmupSteps linear warmup in optimizer steps; wins over {@code warmupRatio} when > 0 (HF)
 * @param warmupRatio warmup as a fraction of the total steps, rounded up (HF), [0, 1)
 * @param epochs passes over the training data (may be fractional); 0 when {@code maxSteps} is given
 * @param maxSteps optimizer steps; 0 when {@code epochs} is given
 * @param batchSize rows per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step (an epoch's last step may take fewer)
 * @param maxSeqLength longest example (or packed row) in tokens; longer examples are cut
 * @param seed shuffling of the data and the reference set, adapter initialisation and dropout
 * @param packing concatenate short examples into rows of up to {@code maxSeqLength}
 * @param completionOnlyLoss learn only completions / assistant turns (TRL's default); false = every token
 * @param evalEverySteps validation every N steps; 0 = only at the end
 * @param checkpointEverySteps resumable checkpoint every N steps; 0 = none
 * @param checkpointsToKeep newest checkpoints kept on disk; 0 = all
 * @param klWeight weight of {@code KL(base || adapter)} on reference batches; 0 = not trained on (still measured when
 *     there is reference data)
 * @param referenceEverySteps a reference batch every N optimizer steps
 * @param referenceBatchSize rows per reference batch
 */
public record FineTuneSpec(Path baseModel, Path trainData, Path validationData, Path referenceData, LoraConfig lora,
        double learningRate, double weightDecay, double beta1, double beta2, double epsilon, double maxGradNorm,
        LrSchedule schedule, int warmupSteps, double warmupRatio, double epochs, int maxSteps, int batchSize,
        int gradientAccumulationSteps, int maxSeqLength, long seed, boolean packing, boolean completionOnlyLoss,
        int evalEverySteps, int checkpointEverySteps, int checkpointsToKeep, double klWeight, int referenceEverySteps,
        int referenceBatchSize) {

    public FineTuneSpec {
        require(baseModel != null, "baseModel is required");
        require(trainData != null, "trainData is required");
        require(lora != null, "lora (a LoraConfig) is required");
        require(schedule != null, "schedule is required");
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate must be > 0, got " + learningRate);
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay must be >= 0, got " + weightDecay);
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1), got " + beta1 + ", "
                + beta2);
        require(epsilon > 0, "epsilon must be > 0, got " + epsilon);
        require(maxGradNorm >= 0 && Double.isFinite(maxGradNorm), "maxGradNorm must be >= 0 (0 = no clipping), got "
                + maxGradNorm);
        require(warmupSteps >= 0, "warmupSteps must be >= 0, got " + warmupSteps);
        require(warmupRatio >= 0 && warmupRatio < 1, "warmupRatio must be in [0, 1), got " + warmupRatio);
        require((epochs > 0) != (maxSteps > 0), "give exactly one of epochs (> 0) and maxSteps (> 0), got epochs "
                + epochs + " and maxSteps " + maxSteps);
        require(epochs >= 0 && Double.isFinite(epochs) && maxSteps >= 0, "epochs and maxSteps must be >= 0");
        require(batchSize >= 1, "batchSize must be >= 1, got " + batchSize);
        require(gradientAccumulationSteps >= 1, "gradientAccumulationSteps must be >= 1, got "
                + gradientAccumulationSteps);
        require(maxSeqLength >= 2, "maxSeqLength must be >= 2, got " + maxSeqLength);
        require(evalEverySteps >= 0, "evalEverySteps must be >= 0 (0 = only at the end), got " + evalEverySteps);
        require(checkpointEverySteps >= 0, "checkpointEverySteps must be >= 0 (0 = none), got "
                + checkpointEverySteps);
        require(checkpointsToKeep >= 0, "checkpointsToKeep must be >= 0 (0 = all), got " + checkpointsToKeep);
        require(klWeight >= 0 && Double.isFinite(klWeight), "klWeight must be >= 0, got " + klWeight);
        require(klWeight == 0 || referenceData != null, "klWeight " + klWeight + " needs referenceData (general text"
                + " the adapter should not forget)");
        require(referenceEverySteps >= 1, "referenceEverySteps must be >= 1, got " + referenceEverySteps);
        require(referenceBatchSize >= 1, "referenceBatchSize must be >= 1, got " + referenceBatchSize);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new FineTuneException(FineTuneException.Code.UNSUPPORTED_CONFIG, "invalid fine-tuning spec: "
                    + message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.baseModel = baseModel;
        b.trainData = trainData;
        b.validationData = validationData;
        b.referenceData = referenceData;
        b.lora = lora;
        b.learningRate = learningRate;
        b.weightDecay = weightDecay;
        b.beta1 = beta1;
        b.beta2 = beta2;
        b.epsilon = epsilon;
        b.maxGradNorm = maxGradNorm;
        b.schedule = schedule;
        b.warmupSteps = warmupSteps;
        b.warmupRatio = warmupRatio;
        b.epochs = epochs;
        b.maxSteps = maxSteps;
        b.batchSize = batchSize;
        b.gradientAccumulationSteps = gradientAccumulationSteps;
        b.maxSeqLength = maxSeqLength;
        b.seed = seed;
        b.packing = packing;
        b.completionOnlyLoss = completionOnlyLoss;
        b.evalEverySteps = evalEverySteps;
        b.checkpointEverySteps = checkpointEverySteps;
        b.checkpointsToKeep = checkpointsToKeep;
        b.klWeight = klWeight;
        b.referenceEverySteps = referenceEverySteps;
        b.referenceBatchSize = referenceBatchSize;
        return b;
    }

    /**
     * Defaults: HF's ({@code learning_rate} aside: 2e-4, a usual LoRA rate; 3 epochs, batch 8, AdamW 0.9/0.999/1e-8,
     * clipping 1.0, linear schedule, seed 42), TRL's {@code max_seq_length} 1024 and completion-only loss; no KL term;
     * a reference batch of {@code batchSize} rows every step when the KL term is on.
     */
    public static final class Builder {
        private Path baseModel;
        private Path trainData;
        private Path validationData;
        private Path referenceData;
        private LoraConfig lora = LoraConfig.builder().build();
        private double learningRate = 2e-4;
        private double weightDecay;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double maxGradNorm = 1.0;
        private LrSchedule schedule = LrSchedule.LINEAR;
        private int warmupSteps;
        private double warmupRatio;
        private double epochs = 3;
        private int maxSteps;
        private int batchSize = 8;
        private int gradientAccumulationSteps = 1;
        private int maxSeqLength = 1024;
        private long seed = 42;
        private boolean packing;
        private boolean completionOnlyLoss = true;
        private int evalEverySteps;
        private int checkpointEverySteps;
        private int checkpointsToKeep;
        private double klWeight;
        private int referenceEverySteps = 1;
        private Integer referenceBatchSize;

        public Builder baseModel(Path v) {
            baseModel = v;
            return this;
        }

        public Builder trainData(Path v) {
            trainData = v;
            return this;
        }

        public Builder validationData(Path v) {
            validationData = v;
            return this;
        }

        public Builder referenceData(Path v) {
            referenceData = v;
            return this;
        }

        public Builder lora(LoraConfig v) {
            lora = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder epsilon(double v) {
            epsilon = v;
            return this;
        }

        public Builder maxGradNorm(double v) {
            maxGradNorm = v;
            return this;
        }

        public Builder schedule(LrSchedule v) {
            schedule = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder warmupRatio(double v) {
            warmupRatio = v;
            return this;
        }

        /** The run's length in passes over the data (clears {@code maxSteps}). */
        public Builder epochs(double v) {
            epochs = v;
            maxSteps = 0;
            return this;
        }

        /** The run's length in optimizer steps (clears {@code epochs}). */
        public Builder maxSteps(int v) {
            maxSteps = v;
            epochs = 0;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder gradientAccumulationSteps(int v) {
            gradientAccumulationSteps = v;
            return this;
        }

        public Builder maxSeqLength(int v) {
            maxSeqLength = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder packing(boolean v) {
            packing = v;
            return this;
        }

        public Builder completionOnlyLoss(boolean v) {
            completionOnlyLoss = v;
            return this;
        }

        public Builder evalEverySteps(int v) {
            evalEverySteps = v;
            return this;
        }

        public Builder checkpointEverySteps(int v) {
            checkpointEverySteps = v;
            return this;
        }

        public Builder checkpointsToKeep(int v) {
            checkpointsToKeep = v;
            return this;
        }

        public Builder klWeight(double v) {
            klWeight = v;
            return this;
        }

        public Builder referenceEverySteps(int v) {
            referenceEverySteps = v;
            return this;
        }

        /** Rows per reference batch (default: {@code batchSize}). */
        public Builder referenceBatchSize(int v) {
            referenceBatchSize = v;
            return this;
        }

        public FineTuneSpec build() {
            return new FineTuneSpec(baseModel, trainData, validationData, referenceData, lora, learningRate,
                    weightDecay, beta1, beta2, epsilon, maxGradNorm, schedule, warmupSteps, warmupRatio, epochs,
                    maxSteps, batchSize, gradientAccumulationSteps, maxSeqLength, seed, packing, completionOnlyLoss,
                    evalEverySteps, checkpointEverySteps, checkpointsToKeep, klWeight, referenceEverySteps,
                    referenceBatchSize == null ? batchSize : referenceBatchSize);
        }
    }
}
