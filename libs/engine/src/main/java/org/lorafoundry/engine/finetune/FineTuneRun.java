package org.lorafoundry.engine.finetune;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;
import org.lorafoundry.engine.EngineRuntime;
import org.lorafoundry.engine.data.BatchIterator;
import org.lorafoundry.engine.finetune.FineTuneException.Code;
import org.lorafoundry.engine.lora.LoraConfigException;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.lora.ParameterCount;
import org.lorafoundry.engine.model.ModelConfigException;
import org.lorafoundry.engine.model.UnsupportedArchitectureException;
import org.lorafoundry.engine.train.HeldOutEvaluator;
import org.lorafoundry.engine.train.LoraTrainer;
import org.lorafoundry.engine.train.StepMetrics;
import org.lorafoundry.engine.train.TrainingBatch;
import org.lorafoundry.engine.train.TrainingConfig;
import org.lorafoundry.engine.train.TrainingDivergedException;

/**
 * One LoRA fine-tuning run from JSONL files to a PEFT adapter: what the trainer service and the CLI call.
 *
 * <pre>{@code
 * try (FineTuneRun run = FineTuneRun.prepare(spec, outputDir)) {    // loads base + data, creates the adapter, plans
 *     FineTuneRun.latestCheckpoint(outputDir).ifPresent(run::resumeFrom);
 *     FineTuneResult r = run.train(progress -> ..., (step, dir) -> upload(dir), cancelled::get);
 *     r.adapterDirectory();   // outputDir/adapter: adapter_config.json + adapter_model.safetensors + README.md
 * }
 * }</pre>
 *
 * <p>{@link #prepare} reads the tokenizer and the data first (cheap failures first), loads the base model
 * (memory-mapped), creates the adapter named {@value #ADAPTER_NAME} from the spec's {@code LoraConfig} and seed, and
 * computes the total steps ({@link TrainingPlan}). {@link #train} steps until the plan's end: each step takes up to
 * {@code gradientAccumulationSteps} micro-batches of one epoch (seeded shuffle), a reference batch every
 * {@code referenceEverySteps} steps when there is reference data, validation every {@code evalEverySteps} steps and at
 * the end, a checkpoint every {@code checkpointEverySteps} steps, and a {@link FineTuneProgress} after every step;
 * cancellation is checked between steps. At the end it writes the adapter atomically to {@code outputDir/adapter} and
 * measures the final metrics: {@code train_loss} (mean of the step losses, HF's {@code train_loss}),
 * {@code validation_loss} / {@code validation_perplexity}, and with reference data {@code kl_divergence},
 * {@code reference_loss} / {@code reference_perplexity} (adapter) and {@code base_reference_perplexity} over the whole
 * reference set; {@code train_runtime_seconds}, {@code tokens_per_second}.
 *
 * <p><b>Exact resume.</b> Every random draw derives from the seed: the adapter's initialisation, the data and reference
 * orders ({@code java.util.Random(seed)} / {@code (seed + 1)} shuffles replayed up to the recorded position) and the
 * dropout masks (re-seeded per pass from (seed, step, micro-batch)). A checkpoint ({@link CheckpointStore}) holds the
 * adapter, AdamW's moments and step, the data positions and the loss curve; {@link #resumeFrom} on a freshly prepared
 * run with the same spec continues with the steps the uninterrupted run would have taken, bit for bit on the same
 * device.
 *
 * <p>Lifecycle ({@link State}): {@code PREPARED -> RUNNING -> COMPLETED | CANCELLED | FAILED}, then {@code CLOSED};
 * {@link #resumeFrom} only while {@code PREPARED}, {@link #train} once. Every failure is a {@link FineTuneException}
 * with a {@link Code}. Not thread-safe; one run trains at a time per JVM (DJL allows one gradient collector).
 */
public final class FineTuneRun implements AutoCloseable {
    /** PEFT's name for a model's only adapter. */
    public static final String ADAPTER_NAME = "default";
    public static final String ADAPTER_DIR = "adapter";
    public static final String CHECKPOINTS_DIR = "checkpoints";
    /** How every random draw derives from the seed (recorded in checkpoints; another scheme is refused). */
    static final String RNG_SCHEME = "seed-derived-v1: java.util.Random(seed) data order, Random(seed + 1) reference"
            + " order, torch.manual_seed(f(seed, step, micro-batch)) before each training pass";

    /** Where a run is in its life. */
    public enum State {
        PREPARED,
        RUNNING,
        COMPLETED,
        CANCELLED,
        FAILED,
        CLOSED
    }

    private final FineTuneSpec spec;
    private final Path outputDir;
    private final NDManager manager;
    private final LoraModel model;
    private final RunData data;
    private final TrainingPlan plan;
    private final TrainingConfig trainingConfig;
    private final BatchIterator trainBatches;
    private final BatchIterator referenceBatches;
    private final CheckpointStore checkpoints;
    private final List<TrainerState.Point> lossCurve = new ArrayList<>();
    private final long preparedAt = System.nanoTime();
    private State state = State.PREPARED;
    private Path resumedFrom;
    private int resumedFromStep;
    private long tokensSeen;
    private double earlierTrainSeconds;

    private FineTuneRun(FineTuneSpec spec, Path outputDir, NDManager manager, LoraModel model, RunData data,
            TrainingPlan plan) {
        this.spec = spec;
        this.outputDir = outputDir;
        this.manager = manager;
        this.model = model;
        this.data = data;
        this.plan = plan;
        this.trainingConfig = TrainingConfig.builder().learningRate(spec.learningRate()).weightDecay(spec.weightDecay())
                .betas(spec.beta1(), spec.beta2()).epsilon(spec.epsilon()).maxGradNorm(spec.maxGradNorm())
                .schedule(spec.schedule()).warmupSteps(plan.warmupSteps()).maxSteps(plan.totalSteps())
                .gradientAccumulationSteps(spec.gradientAccumulationSteps()).seed(spec.seed())
                .klWeight(spec.klWeight()).build();
        this.trainBatches = new BatchIterator(data.train(), trainOptions(spec, data.padId(), plan.epochsToIterate()));
        this.referenceBatches = data.reference().isEmpty() ? null : new BatchIterator(data.reference(),
                new BatchIterator.Options(spec.referenceBatchSize(), spec.maxSeqLength(), data.padId(), spec.seed() + 1,
                        true, false, Integer.MAX_VALUE));
        this.checkpoints = new CheckpointStore(outputDir.resolve(CHECKPOINTS_DIR), spec.checkpointsToKeep());
    }

    /** {@link #prepare(FineTuneSpec, Path, NDManager)} on a root manager of its own. */
    public static FineTuneRun prepare(FineTuneSpec spec, Path outputDir) {
        return prepare(spec, outputDir, null);
    }

    /**
     * Reads the data, loads the base model, creates the adapter and plans the run.
     *
     * @param outputDir where {@code adapter/} and {@code checkpoints/} go
     * @param parent the manager whose sub-manager holds everything (closed with the run), or null for a root manager
     * @throws FineTuneException {@code BAD_DATA}, {@code BASE_MODEL_UNREADABLE}, {@code UNSUPPORTED_CONFIG},
     *     {@code OUT_OF_MEMORY}
     */
    public static FineTuneRun prepare(FineTuneSpec spec, Path outputDir, NDManager parent) {
        RunData data = RunData.load(spec);
        NDManager manager = parent == null ? EngineRuntime.newManager() : parent.newSubManager();
        LoraModel model = null;
        try {
            model = loadBase(spec, manager);
            try {
                model.createAdapter(ADAPTER_NAME, spec.lora(), spec.seed());
            } catch (LoraConfigException | IllegalArgumentException e) {
                throw new FineTuneException(Code.UNSUPPORTED_CONFIG, "the LoRA config does not fit "
                        + spec.baseModel() + ": " + e.getMessage(), e);
            }
            List<Integer> batchesPerEpoch = new BatchIterator(data.train(), trainOptions(spec, data.padId(), 1))
                    .batchesPerEpoch(TrainingPlan.epochsToCount(spec));
            return new FineTuneRun(spec, outputDir, manager, model, data, TrainingPlan.of(spec, batchesPerEpoch));
        } catch (RuntimeException | OutOfMemoryError e) {
            if (model != null) {
                model.close();
            }
            manager.close();
            if (e instanceof FineTuneException f) {
                throw f;
            }
            if (FineTuneException.isOutOfMemory(e)) {
                throw new FineTuneException(Code.OUT_OF_MEMORY, "out of memory loading " + spec.baseModel()
                        + " and creating the adapter: " + e.getMessage(), e);
            }
            throw new FineTuneException(Code.INTERNAL, "preparing the run failed: " + e, e);
        }
    }

    private static LoraModel loadBase(FineTuneSpec spec, NDManager manager) {
        try {
            return LoraModel.load(spec.baseModel(), manager);
        } catch (UnsupportedArchitectureException e) {
            throw new FineTuneException(Code.UNSUPPORTED_CONFIG, e.getMessage(), e);
        } catch (IOException | ModelConfigException e) {
            throw new FineTuneException(Code.BASE_MODEL_UNREADABLE, "cannot load the base model " + spec.baseModel()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint under {@code outputDir/checkpoints}, if any. */
    public static Optional<Path> latestCheckpoint(Path outputDir) {
        try {
            List<Path> all = new CheckpointStore(outputDir.resolve(CHECKPOINTS_DIR), 0).list();
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        } catch (IOException e) {
            throw new FineTuneException(Code.STORAGE_ERROR, "cannot list the checkpoints in " + outputDir + ": "
                    + e.getMessage(), e);
        }
    }

    public State state() {
        return state;
    }

    public FineTuneSpec spec() {
        return spec;
    }

    /** Optimizer steps the run takes in all (known before it starts). */
    public int totalSteps() {
        return plan.totalSteps();
    }

    /** Warmup steps (from {@code warmupSteps} or {@code warmupRatio}). */
    public int warmupSteps() {
        return plan.warmupSteps();
    }

    /** PEFT's trainable / all parameter counts of the adapter on its base. */
    public ParameterCount parameterCount() {
        return model.parameterCount(ADAPTER_NAME);
    }

    public DataSummary data() {
        return data.summary();
    }

    /** The model being trained (base + the adapter {@value #ADAPTER_NAME}); e.g. for extra evaluation. */
    public LoraModel model() {
        return model;
    }

    /**
     * Continues from a checkpoint of a run with the same spec and data: its adapter replaces the created one; AdamW's
     * state, the step, the data positions and the loss curve are taken over by {@link #train}.
     *
     * @throws FineTuneException {@code UNSUPPORTED_CONFIG} when the checkpoint was made with other settings or data
     *     (the differences are listed), {@code STORAGE_ERROR} when it cannot be read
     */
    public void resumeFrom(Path checkpointDir) {
        requireState(State.PREPARED, "resumeFrom");
        TrainerState saved;
        try {
            saved = TrainerState.read(checkpointDir);
        } catch (IOException e) {
            throw new FineTuneException(Code.STORAGE_ERROR, "cannot resume from " + checkpointDir + ": "
                    + e.getMessage(), e);
        }
        Map<String, String> now = settings();
        List<String> differences = new ArrayList<>();
        now.forEach((k, v) -> {
            if (!v.equals(saved.settings().get(k))) {
                differences.add(k + " " + saved.settings().get(k) + " -> " + v);
            }
        });
        if (!RNG_SCHEME.equals(saved.rng().scheme())) {
            differences.add("rng scheme '" + saved.rng().scheme() + "'");
        }
        if (!differences.isEmpty()) {
            throw new FineTuneException(Code.UNSUPPORTED_CONFIG, "checkpoint " + checkpointDir + " belongs to a run"
                    + " with other settings or data; an exact resume needs the same ones. Differences: "
                    + String.join("; ", differences));
        }
        try {
            model.removeAdapter(ADAPTER_NAME);
            model.loadAdapter(ADAPTER_NAME, checkpointDir);
        } catch (IOException | LoraConfigException e) {
            state = State.FAILED;
            throw new FineTuneException(Code.STORAGE_ERROR, "cannot load the adapter of checkpoint " + checkpointDir
                    + ": " + e.getMessage(), e);
        }
        try {
            trainBatches.seek(saved.dataPosition());
            if (referenceBatches != null) {
                if (saved.referencePosition() == null) {
                    throw new IllegalArgumentException("no reference_position");
                }
                referenceBatches.seek(saved.referencePosition());
            }
        } catch (IllegalArgumentException e) {
            state = State.FAILED;
            throw new FineTuneException(Code.STORAGE_ERROR, "checkpoint " + checkpointDir + " records a data position"
                    + " this data does not have: " + e.getMessage(), e);
        }
        lossCurve.clear();
        lossCurve.addAll(saved.lossCurve());
        tokensSeen = saved.tokensSeen();
        earlierTrainSeconds = saved.trainSeconds();
        resumedFrom = checkpointDir;
        resumedFromStep = saved.step();
    }

    /**
     * Trains to the end of the plan, or until {@code cancelled} answers true (asked before each step).
     *
     * @param progress told after every step (may be null)
     * @param checkpointSaved told after every checkpoint (may be null)
     * @param cancelled cooperative cancellation (may be null)
     * @throws FineTuneException {@code DIVERGED}, {@code OUT_OF_MEMORY}, {@code STORAGE_ERROR}, {@code INTERNAL}, ...
     */
    public FineTuneResult train(ProgressListener progress, CheckpointListener checkpointSaved,
            BooleanSupplier cancelled) {
        requireState(State.PREPARED, "train");
        state = State.RUNNING;
        ProgressListener onProgress = progress == null ? ProgressListener.NONE : progress;
        CheckpointListener onCheckpoint = checkpointSaved == null ? CheckpointListener.NONE : checkpointSaved;
        long start = System.nanoTime();
        long sessionTokens = 0;
        int sessionSteps = 0;
        int step = resumedFromStep;
        try (LoraTrainer trainer = new LoraTrainer(model, ADAPTER_NAME, trainingConfig)) {
            if (resumedFrom != null) {
                try {
                    trainer.restoreOptimizerState(resumedFrom.resolve(CheckpointStore.OPTIMIZER_FILE));
                } catch (IllegalArgumentException e) {
                    throw new IOException("the optimizer state of " + resumedFrom + " does not fit this adapter: "
                            + e.getMessage(), e);
                }
                if (trainer.stepsTaken() != resumedFromStep) {
                    throw new IOException(resumedFrom + ": the optimizer state is at step " + trainer.stepsTaken()
                            + ", the trainer state at " + resumedFromStep);
                }
            }
            while (step < plan.totalSteps()) {
                if (cancelled != null && cancelled.getAsBoolean()) {
                    state = State.CANCELLED;
                    return result(FineTuneResult.Outcome.CANCELLED, null, step, Map.of(), start);
                }
                List<TrainingBatch> group = nextGroup();
                if (group.isEmpty()) {
                    throw new IllegalStateException("the training batches ran out at step " + (step + 1) + " of "
                            + plan.totalSteps());
                }
                int number = step + 1;
                TrainingBatch reference = referenceBatches != null && number % spec.referenceEverySteps() == 0
                        ? referenceBatches.next() : null;
                StepMetrics m = trainer.step(group, reference);
                step = m.step();
                sessionSteps++;
                sessionTokens += m.tokens();
                tokensSeen += m.tokens();
                OptionalDouble validation = OptionalDouble.empty();
                if (!data.validation().isEmpty() && ((spec.evalEverySteps() > 0 && step % spec.evalEverySteps() == 0)
                        || step == plan.totalSteps())) {
                    validation = OptionalDouble.of(validationLoss().mean());
                }
                lossCurve.add(new TrainerState.Point(step, m.loss(),
                        validation.isPresent() ? validation.getAsDouble() : null));
                double seconds = (System.nanoTime() - start) / 1e9;
                onProgress.onProgress(new FineTuneProgress(step, plan.totalSteps(), trainBatches.epochsDone(),
                        m.loss(), m.learningRate(), m.gradNorm(), sessionTokens / seconds,
                        seconds / sessionSteps * (plan.totalSteps() - step), tokensSeen, validation,
                        m.klDivergence(), exp(m.referenceLoss())));
                if (spec.checkpointEverySteps() > 0 && step % spec.checkpointEverySteps() == 0) {
                    int at = step;
                    double trainSeconds = earlierTrainSeconds + (System.nanoTime() - start) / 1e9;
                    Path dir = checkpoints.write(at, d -> {
                        model.saveAdapter(ADAPTER_NAME, d);
                        trainer.saveOptimizerState(d.resolve(CheckpointStore.OPTIMIZER_FILE));
                        state(at, trainSeconds).write(d);
                    });
                    onCheckpoint.onCheckpoint(at, dir);
                }
            }
            Path adapterDir = outputDir.resolve(ADAPTER_DIR);
            AtomicDirectory.write(adapterDir, d -> model.saveAdapter(ADAPTER_NAME, d));
            Map<String, Double> metrics = finalMetrics(start, sessionTokens);
            state = State.COMPLETED;
            return result(FineTuneResult.Outcome.COMPLETED, adapterDir, step, metrics, start);
        } catch (FineTuneException e) {
            state = State.FAILED;
            throw e;
        } catch (TrainingDivergedException e) {
            state = State.FAILED;
            throw new FineTuneException(Code.DIVERGED, e.getMessage(), e.step(), e);
        } catch (IOException e) {
            state = State.FAILED;
            throw new FineTuneException(Code.STORAGE_ERROR, "writing the run's files under " + outputDir + " failed at"
                    + " step " + step + ": " + e.getMessage(), step + 1, e);
        } catch (RuntimeException | OutOfMemoryError e) {
            state = State.FAILED;
            if (FineTuneException.isOutOfMemory(e)) {
                throw new FineTuneException(Code.OUT_OF_MEMORY, "out of memory at step " + (step + 1)
                        + " (micro-batches of " + spec.batchSize() + " rows of up to " + spec.maxSeqLength()
                        + " tokens, LoRA r=" + spec.lora().r() + "): lower batchSize or maxSeqLength (raise"
                        + " gradientAccumulationSteps to keep the effective batch) or the rank; " + e.getMessage(),
                        step + 1, e);
            }
            throw new FineTuneException(Code.INTERNAL, "training failed at step " + (step + 1) + ": " + e, step + 1, e);
        }
    }

    /** Up to {@code gradientAccumulationSteps} micro-batches of one epoch (an epoch's last step takes the rest). */
    private List<TrainingBatch> nextGroup() {
        List<TrainingBatch> group = new ArrayList<>(spec.gradientAccumulationSteps());
        while (group.size() < spec.gradientAccumulationSteps() && trainBatches.hasNext()) {
            if (!group.isEmpty() && trainBatches.position().row() == 0) {
                break;
            }
            group.add(trainBatches.next());
        }
        return group;
    }

    private HeldOutEvaluator.TokenLoss validationLoss() {
        return HeldOutEvaluator.tokenLoss(model, ADAPTER_NAME, new BatchIterator(data.validation(),
                new BatchIterator.Options(spec.batchSize(), spec.maxSeqLength(), data.padId(), spec.seed(), false,
                        false, 1)));
    }

    private Map<String, Double> finalMetrics(long start, long sessionTokens) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("train_loss",
                lossCurve.stream().mapToDouble(TrainerState.Point::loss).average().orElse(Double.NaN));
        TrainerState.Point last = lossCurve.get(lossCurve.size() - 1);
        if (last.validationLoss() != null) {
            metrics.put("validation_loss", last.validationLoss());
            metrics.put("validation_perplexity", Math.exp(last.validationLoss()));
        }
        if (!data.reference().isEmpty()) {
            HeldOutEvaluator.ReferenceMetrics r = HeldOutEvaluator.reference(model, ADAPTER_NAME, new BatchIterator(
                    data.reference(), new BatchIterator.Options(spec.referenceBatchSize(), spec.maxSeqLength(),
                            data.padId(), spec.seed(), false, false, 1)));
            metrics.put("kl_divergence", r.klDivergence());
            metrics.put("reference_loss", r.adapter().mean());
            metrics.put("reference_perplexity", r.adapter().perplexity());
            metrics.put("base_reference_perplexity", r.base().perplexity());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        metrics.put("train_runtime_seconds", seconds);
        metrics.put("tokens_per_second", sessionTokens / seconds);
        return metrics;
    }

    private TrainerState state(int step, double trainSeconds) {
        return new TrainerState(TrainerState.FORMAT_VERSION, step, plan.totalSteps(), trainBatches.epochsDone(),
                trainBatches.position(), referenceBatches == null ? null : referenceBatches.position(), tokensSeen,
                trainSeconds, new TrainerState.Rng(spec.seed(), RNG_SCHEME), settings(), lossCurve);
    }

    /** What a resumed run must share with the checkpoint's (eval and checkpoint cadence may change). */
    private Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("lora", spec.lora().toString());
        s.put("learning_rate", String.valueOf(spec.learningRate()));
        s.put("weight_decay", String.valueOf(spec.weightDecay()));
        s.put("betas", spec.beta1() + "," + spec.beta2());
        s.put("epsilon", String.valueOf(spec.epsilon()));
        s.put("max_grad_norm", String.valueOf(spec.maxGradNorm()));
        s.put("schedule", spec.schedule().name());
        s.put("warmup_steps", String.valueOf(plan.warmupSteps()));
        s.put("total_steps", String.valueOf(plan.totalSteps()));
        s.put("batch_size", String.valueOf(spec.batchSize()));
        s.put("gradient_accumulation_steps", String.valueOf(spec.gradientAccumulationSteps()));
        s.put("max_seq_length", String.valueOf(spec.maxSeqLength()));
        s.put("seed", String.valueOf(spec.seed()));
        s.put("packing", String.valueOf(spec.packing()));
        s.put("completion_only_loss", String.valueOf(spec.completionOnlyLoss()));
        s.put("kl_weight", String.valueOf(spec.klWeight()));
        s.put("reference_every_steps", String.valueOf(spec.referenceEverySteps()));
        s.put("reference_batch_size", String.valueOf(spec.referenceBatchSize()));
        s.put("train_data_sha256", data.trainSha256());
        s.put("reference_data_sha256", data.referenceSha256());
        return s;
    }

    private FineTuneResult result(FineTuneResult.Outcome outcome, Path adapterDir, int steps,
            Map<String, Double> metrics, long start) {
        List<LossPoint> curve = lossCurve.stream().map(p -> new LossPoint(p.step(), p.loss(),
                p.validationLoss() == null ? OptionalDouble.empty() : OptionalDouble.of(p.validationLoss()))).toList();
        return new FineTuneResult(outcome, Optional.ofNullable(adapterDir), steps, plan.totalSteps(), resumedFromStep,
                trainBatches.epochsDone(), tokensSeen, model.parameterCount(ADAPTER_NAME), metrics, curve,
                data.summary(), Duration.ofNanos(System.nanoTime() - preparedAt));
    }

    private static OptionalDouble exp(OptionalDouble loss) {
        return loss.isPresent() ? OptionalDouble.of(Math.exp(loss.getAsDouble())) : OptionalDouble.empty();
    }

    private void requireState(State expected, String what) {
        if (state != expected) {
            throw new IllegalStateException(what + "() needs a " + expected + " run; this one is " + state);
        }
    }

    /** Frees the model and everything the run allocated; files written stay. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        model.close();
        manager.close();
    }

    private static BatchIterator.Options trainOptions(FineTuneSpec spec, long padId, int epochs) {
        return new BatchIterator.Options(spec.batchSize(), spec.maxSeqLength(), padId, spec.seed(), true,
                spec.packing(), epochs);
    }
}
