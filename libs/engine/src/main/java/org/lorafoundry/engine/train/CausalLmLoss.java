package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * transformers' {@code ForCausalLMLoss}: logits at position {@code t} predict the label at {@code t + 1}; cross-entropy
 * over the labels that are not -100. {@link #sum} is its {@code reduction="sum"} (what the loss divides by
 * {@code num_items_in_batch} when the Trainer accumulates gradients), {@link #mean} the plain mean. Differentiable
 * under DJL autograd: every constant it multiplies by is an array in {@code scope} (kept alive until the scope closes, after
 * backward).
 */
public final class CausalLmLoss {
    private CausalLmLoss() {
    }

    /**
     * The mean over the micro-batch's labelled tokens.
     *
     * @param logits {@code [B, T, V]} FLOAT32 (its manager receives the results)
     * @param batch the labels, {@code [B, T]}
     * @param scope where the label arrays and the token count live; must stay open until backward has run
     * @return a 0-d FLOAT32 array
     * @throws IllegalArgumentException when no label counts (transformers would return NaN)
     */
    public static NDArray mean(NDArray logits, TrainingBatch batch, NDManager scope) {
        long count = batch.labelledTokens();
        if (count == 0) {
            throw new IllegalArgumentException("a micro-batch without any label (all -100 after the shift): its loss"
                    + " would be NaN");
        }
        return sum(logits, batch, scope).div(scope.create((float) count));
    }

    /**
     * The summed negative log-likelihood of the micro-batch's labelled tokens ({@link TrainingBatch#labelledTokens()}
     * of them; 0 when there are none).
     *
     * @return a 0-d FLOAT32 array
     */
    public static NDArray sum(NDArray logits, TrainingBatch batch, NDManager scope) {
        int b = batch.batchSize();
        int t = batch.length();
        // The labels are shifted, not the logits (as transformers does): position t - 1 of a row predicts nothing and
        // gets weight 0. Slicing the logits to [B, T - 1, V] instead made a non-contiguous view that log_softmax first
        // copied, and whose backward wrote into a fresh zeroed [B, T, V] buffer: two extra logits-sized passes per
        // micro-batch (at vocabulary 32,000 and 4 x 256 tokens the loss's forward + backward took 4.0-6.3 s instead
        // of 1.8-3.1 s on a busy 2-core machine; scripts/benchmark.py).
        long[] target = new long[b * t];
        float[] weight = new float[target.length];
        long vocab = logits.getShape().get(2);
        for (int i = 0; i < b; i++) {
            for (int j = 1; j < t; j++) {
                long label = batch.labels()[i * t + j];
                int k = i * t + j - 1;
                if (label != TrainingBatch.IGNORE_INDEX) {
                    if (label >= vocab) {
                        throw new IllegalArgumentException("label " + label + " is outside the vocabulary (" + vocab
                                + ")");
                    }
                    target[k] = label;
                    weight[k] = 1f;
                }
            }
        }
        NDArray index = scope.create(target, new Shape(b, t, 1));
        NDArray mask = scope.create(weight, new Shape(b, t));
        NDArray picked = logits.logSoftmax(-1).gather(index, 2).reshape(b, t);
        return picked.mul(mask).sum().neg();
    }
}
