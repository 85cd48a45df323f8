package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.lorafoundry.engine.lora.LoraAdapter;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.model.CausalLanguageModel;
import org.lorafoundry.engine.nn.ForwardContext;
import org.lorafoundry.engine.nn.Parameter;

/**
 * Trains one adapter of a {@link LoraModel}: causal-LM loss under DJL autograd, gradients only into the adapter's
 * trainable tensors ({@link LoraAdapter#trainableParameters()}: {@code lora_A}, {@code lora_B}, and the adapter's own
 * copies for {@code bias} / {@code modules_to_save}); the base weights are never marked, never written (they may be
 * memory-mapped).
 *
 * <p>Per optimizer step, as transformers' Trainer with {@code num_items_in_batch}: each micro-batch contributes its
 * summed token loss divided by the labelled tokens of the whole step, so every labelled token weighs the same however
 * the tokens fall into micro-batches (a micro-batch mean divided by the accumulation count would weigh a token of a
 * short micro-batch more). With a reference batch, the forgetting term {@code klWeight * KL(base || adapter)} (token
 * mean, {@link KlDivergence}) is added. Then: clip by global norm; {@link AdamW} with HF's weight-decay groups
 * ({@link WeightDecayGroups}); zero the gradients. Each step runs in its own sub-manager that is closed at its end, so
 * native memory stays flat. {@code lora_dropout} masks are seeded per pass ({@link DropoutSeeds}).
 *
 * <p>Not thread-safe; DJL's PyTorch engine allows one gradient collector per JVM at a time, so one trainer steps at a
 * time. Inference passes on the same model from other threads during training see the weights mid-update.
 */
public final class LoraTrainer implements AutoCloseable {
    private final LoraModel model;
    private final String adapterName;
    private final LoraAdapter adapter;
    private final TrainingConfig config;
    private final List<Parameter> parameters;
    private final WeightDecayGroups decayGroups;
    private final NDManager manager;
    private final AdamW optimizer;
    private final Gradients gradients;
    private final NDArray stepLabelledTokens;
    private final NDArray klWeight;
    private int step;
    private boolean closed;
    /** Set by a {@link TrainingDivergedException}: the gradients hold NaN/Inf, so no further step may run. */
    private boolean diverged;

    public LoraTrainer(LoraModel model, String adapterName, TrainingConfig config) {
        this.model = model;
        this.adapterName = adapterName;
        this.adapter = model.adapter(adapterName);
        this.config = config;
        if (adapter.isMerged()) {
            throw new IllegalStateException("adapter '" + adapterName + "' is merged into the weights: unmerge() before"
                    + " training it");
        }
        this.parameters = adapter.trainableParameters();
        if (parameters.isEmpty()) {
            throw new IllegalStateException("adapter '" + adapterName + "' has no trainable parameters");
        }
        Set<NDArray> base = Collections.newSetFromMap(new IdentityHashMap<>());
        model.base().modules().parameters().values().forEach(p -> base.add(p.value()));
        for (Parameter p : parameters) {
            if (base.contains(p.value())) { // never train (write into) a base array: it may be memory-mapped
                throw new IllegalStateException(p.name() + " shares its array with the base model");
            }
        }
        this.decayGroups = WeightDecayGroups.of(parameters, model.base().modules());
        CausalLanguageModel b = model.base();
        this.manager = b.manager().newSubManager();
        try {
            this.optimizer = new AdamW(decayGroups, config.beta1(), config.beta2(), config.epsilon(),
                    config.weightDecay(), manager);
            this.gradients = new Gradients(parameters, manager);
            this.stepLabelledTokens = manager.create(1f);
            this.klWeight = manager.create((float) config.klWeight());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        for (Parameter p : parameters) {
            p.value().setRequiresGradient(true);
        }
    }

    public TrainingConfig config() {
        return config;
    }

    /** Optimizer steps taken so far. */
    public int stepsTaken() {
        return step;
    }

    /** The tensors being trained, as PEFT names them. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Which of {@link #parameters()} AdamW decays. */
    public WeightDecayGroups decayGroups() {
        return decayGroups;
    }

    /**
     * One optimizer step over {@code microBatches} (normally {@code gradientAccumulationSteps} of them; fewer is
     * fine, e.g. at the end of an epoch), at the learning rate the schedule gives this step.
     */
    public StepMetrics step(List<TrainingBatch> microBatches) {
        return step(microBatches, null);
    }

    /**
     * As {@link #step(List)}, plus the forgetting term on {@code reference} (null = none): the base model's and the
     * adapter's next-token distributions on it; {@code klWeight * KL} is trained on when {@code klWeight > 0}, and
     * measured (without a gradient) when it is 0.
     *
     * @throws TrainingDivergedException when the loss or the gradient norm is NaN or infinite (nothing is updated)
     */
    public StepMetrics step(List<TrainingBatch> microBatches, TrainingBatch reference) {
        if (closed) {
            throw new IllegalStateException("trainer closed");
        }
        if (diverged) {
            throw new IllegalStateException("training diverged at step " + (step + 1) + "; start again (from a"
                    + " checkpoint) with other settings");
        }
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("an optimizer step needs at least one micro-batch");
        }
        if (adapter.isMerged()) {
            throw new IllegalStateException("adapter '" + adapterName + "' was merged during training");
        }
        long labelled = microBatches.stream().mapToLong(TrainingBatch::labelledTokens).sum();
        if (labelled == 0) {
            throw new IllegalArgumentException("the micro-batches of step " + (step + 1) + " have no label (all -100"
                    + " after the shift): there is nothing to learn from");
        }
        long start = System.nanoTime();
        int number = step + 1;
        double lr = config.learningRateAt(step);
        double loss = 0;
        long tokens = 0;
        ReferenceMeasure measured = null;
        float norm;
        ForwardContext training = model.context(adapterName, true);
        stepLabelledTokens.set(new float[] {labelled});
        try (NDManager scope = manager.newSubManager()) {
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                for (int i = 0; i < microBatches.size(); i++) {
                    TrainingBatch batch = microBatches.get(i);
                    tokens += batch.inputTokens();
                    if (batch.labelledTokens() == 0) {
                        continue; // adds nothing to the loss or the gradient
                    }
                    try (NDManager micro = scope.newSubManager()) {
                        seedDropout(i);
                        NDArray share;
                        // The logits and the loss's log-probabilities ([B, T, vocab] each) are let go before
                        // backward: autograd keeps what it needs, and holding them here kept two logits-sized arrays
                        // alive through the whole backward pass (PyTorch frees them as the graph is consumed). Only
                        // op results go: arrays made from Java data (ids, label index, mask) stay in micro, since
                        // their memory is Java's (RECIPES: persistent scalars).
                        try (NDManager pass = micro.newSubManager()) {
                            NDArray logits = forward(batch, micro, training);
                            logits.attach(pass);
                            share = CausalLmLoss.sum(logits, batch, micro).div(stepLabelledTokens);
                            share.attach(micro);
                        }
                        collector.backward(share);
                        loss += share.getFloat();
                    }
                }
                if (reference != null && config.klWeight() > 0) {
                    measured = measureReference(reference, scope, training, collector);
                }
            }
            if (reference != null && config.klWeight() == 0) {
                measured = measureReference(reference, scope, training, null);
            }
            if (!Double.isFinite(loss)) {
                diverged = true;
                throw new TrainingDivergedException(number, "the loss is " + loss, lr);
            }
            norm = gradients.clip(config.maxGradNorm(), scope);
            if (!Float.isFinite(norm)) {
                diverged = true;
                throw new TrainingDivergedException(number, "the gradient norm is " + norm + " (loss " + loss + ")",
                        lr);
            }
            optimizer.step(lr);
        } finally {
            gradients.zero();
        }
        step++;
        return new StepMetrics(step, loss, lr, norm, tokens, labelled, (System.nanoTime() - start) / 1e9,
                measured == null ? OptionalDouble.empty() : OptionalDouble.of(measured.kl()),
                measured == null ? OptionalDouble.empty() : OptionalDouble.of(measured.loss()));
    }

    private record ReferenceMeasure(double kl, double loss) {
    }

    /**
     * The reference pass: the base model's log-probabilities (no adapter, no gradient: nothing in that pass requires
     * one), then the adapter's training pass; with a collector, {@code klWeight * KL} is back-propagated.
     */
    private ReferenceMeasure measureReference(TrainingBatch reference, NDManager scope, ForwardContext training,
            GradientCollector collector) {
        try (NDManager ref = scope.newSubManager()) {
            NDArray baseLogProbs = forward(reference, ref, model.context(null, false)).logSoftmax(-1);
            seedDropout(DropoutSeeds.REFERENCE_PASS);
            NDArray logits = forward(reference, ref, training);
            NDArray kl = KlDivergence.sum(baseLogProbs, logits, reference, ref)
                    .div(ref.create((float) KlDivergence.positions(reference)));
            if (collector != null) {
                collector.backward(kl.mul(klWeight));
            }
            long labelled = reference.labelledTokens();
            double nll = labelled == 0 ? Double.NaN
                    : CausalLmLoss.sum(logits, reference, ref).getFloat() / (double) labelled;
            return new ReferenceMeasure(kl.getFloat(), nll);
        }
    }

    private NDArray forward(TrainingBatch batch, NDManager scope, ForwardContext context) {
        Shape shape = new Shape(batch.batchSize(), batch.length());
        NDArray ids = scope.create(batch.inputIds(), shape);
        NDArray mask = batch.attentionMask() == null ? null : scope.create(batch.attentionMask(), shape);
        return model.base().forward(ids, mask, context);
    }

    private void seedDropout(int microBatch) {
        if (adapter.config().loraDropout() > 0) { // only dropout draws random numbers in a training pass
            DropoutSeeds.seedPass(config.seed(), step, microBatch);
        }
    }

    /** Writes the optimizer's state (moments and step count) for a checkpoint. */
    public void saveOptimizerState(Path file) throws IOException {
        optimizer.saveState(file);
    }

    /**
     * Restores a checkpoint's optimizer state; the trainer continues at the step it holds. The adapter's weights are
     * the caller's to restore (load the checkpoint's adapter before creating this trainer).
     */
    public void restoreOptimizerState(Path file) throws IOException {
        if (closed) {
            throw new IllegalStateException("trainer closed");
        }
        optimizer.loadState(file);
        step = optimizer.steps();
    }

    /**
     * Steps until {@code maxSteps} (counted with the steps already taken), the micro-batches run out (a last partial
     * group is dropped) or {@code cancelled} answers true (checked before each step).
     */
    public TrainingResult train(Iterator<TrainingBatch> microBatches, TrainingListener listener,
            BooleanSupplier cancelled) {
        List<StepMetrics> done = new ArrayList<>();
        while (step < config.maxSteps()) {
            if (cancelled != null && cancelled.getAsBoolean()) {
                return new TrainingResult(done, true, false);
            }
            List<TrainingBatch> group = new ArrayList<>(config.gradientAccumulationSteps());
            while (group.size() < config.gradientAccumulationSteps() && microBatches.hasNext()) {
                group.add(microBatches.next());
            }
            if (group.size() < config.gradientAccumulationSteps()) {
                return new TrainingResult(done, false, true);
            }
            StepMetrics m = step(group);
            done.add(m);
            if (listener != null) {
                listener.onStep(m);
            }
        }
        return new TrainingResult(done, false, false);
    }

    /** Frees the optimizer state; the trained values stay in the adapter (no longer requiring gradients). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Parameter p : parameters) {
            p.value().setRequiresGradient(false);
        }
        manager.close();
    }
}
