package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * transformers' {@code ForCausalLMLoss} (without {@code num_items_in_batch}): logits at position {@code t} predict the
 * label at {@code t + 1}; the mean cross-entropy over the labels that are not -100. Differentiable under DJL autograd:
 * every constant it multiplies by is an array in {@code scope} (kept alive until the scope closes, after backward).
 */
public final class CausalLmLoss {
    private CausalLmLoss() {
    }

    /**
     * @param logits {@code [B, T, V]} FLOAT32 (its manager receives the results)
     * @param batch the labels, {@code [B, T]}
     * @param scope where the label arrays and the token count live; must stay open until backward has run
     * @return the mean loss, a 0-d FLOAT32 array
     * @throws IllegalArgumentException when no label counts (transformers would return NaN)
     */
    public static NDArray mean(NDArray logits, TrainingBatch batch, NDManager scope) {
        int b = batch.batchSize();
        int t = batch.length();
        long count = batch.labelledTokens();
        if (count == 0) {
            throw new IllegalArgumentException("a micro-batch without any label (all -100 after the shift): its loss"
                    + " would be NaN");
        }
        long[] target = new long[b * (t - 1)];
        float[] weight = new float[target.length];
        for (int i = 0; i < b; i++) {
            for (int j = 1; j < t; j++) {
                long label = batch.labels()[i * t + j];
                int k = i * (t - 1) + j - 1;
                if (label != TrainingBatch.IGNORE_INDEX) {
                    target[k] = label;
                    weight[k] = 1f;
                }
            }
        }
        long vocab = logits.getShape().get(2);
        for (long l : target) {
            if (l >= vocab) {
                throw new IllegalArgumentException("label " + l + " is outside the vocabulary (" + vocab + ")");
            }
        }
        NDArray index = scope.create(target, new Shape(b, t - 1, 1));
        NDArray mask = scope.create(weight, new Shape(b, t - 1));
        NDArray denominator = scope.create((float) count);
        NDArray shifted = logits.get(":, 0:" + (t - 1) + ", :");
        NDArray logProbs = shifted.logSoftmax(-1);
        NDArray picked = logProbs.gather(index, 2).reshape(b, t - 1);
        return picked.mul(mask).sum().neg().div(denominator);
    }

}
