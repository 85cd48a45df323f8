package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
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
 * memory-mapped). Per optimizer step: {@code gradientAccumulationSteps} micro-batches, each
 * {@code backward(loss / accumulation)}; clip by global norm; {@link AdamW}; zero the gradients. Each step runs in its
 * own sub-manager that is closed at its end, so native memory stays flat.
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
    private final NDManager manager;
    private final AdamW optimizer;
    private final Gradients gradients;
    private final NDArray lossScale;
    private int step;
    private boolean closed;

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
        CausalLanguageModel b = model.base();
        this.manager = b.manager().newSubManager();
        try {
            this.optimizer = new AdamW(parameters, config.beta1(), config.beta2(), config.epsilon(),
                    config.weightDecay(), manager);
            this.gradients = new Gradients(parameters, manager);
            this.lossScale = manager.create((float) (1.0 / config.gradientAccumulationSteps()));
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

    /**
     * One optimizer step over {@code microBatches} (normally {@code gradientAccumulationSteps} of them), at the
     * learning rate the schedule gives this step.
     */
    public StepMetrics step(List<TrainingBatch> microBatches) {
        if (closed) {
            throw new IllegalStateException("trainer closed");
        }
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("an optimizer step needs at least one micro-batch");
        }
        if (adapter.isMerged()) {
            throw new IllegalStateException("adapter '" + adapterName + "' was merged during training");
        }
        long start = System.nanoTime();
        double lr = config.learningRateAt(step);
        double lossSum = 0;
        long tokens = 0;
        float norm;
        ForwardContext context = model.context(adapterName, true);
        try (NDManager scope = manager.newSubManager()) {
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                for (TrainingBatch batch : microBatches) {
                    try (NDManager micro = scope.newSubManager()) {
                        Shape shape = new Shape(batch.batchSize(), batch.length());
                        NDArray ids = micro.create(batch.inputIds(), shape);
                        NDArray mask = batch.attentionMask() == null ? null : micro.create(batch.attentionMask(), shape);
                        NDArray logits = model.base().forward(ids, mask, context);
                        NDArray loss = CausalLmLoss.mean(logits, batch, micro);
                        collector.backward(loss.mul(lossScale));
                        float value = loss.getFloat();
                        if (!Float.isFinite(value)) {
                            throw new IllegalStateException("loss is " + value + " at step " + (step + 1));
                        }
                        lossSum += value;
                        tokens += batch.inputTokens();
                    }
                }
            }
            norm = gradients.clip(config.maxGradNorm(), scope);
            optimizer.step(lr);
            gradients.zero();
        }
        step++;
        return new StepMetrics(step, lossSum / microBatches.size(), lr, norm, tokens,
                (System.nanoTime() - start) / 1e9);
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
