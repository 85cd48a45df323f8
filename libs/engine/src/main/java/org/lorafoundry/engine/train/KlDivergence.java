package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The forgetting term: {@code KL(p_base || p_adapter)} of the next-token distributions, per position
 * {@code sum_v p_base(v) * (log p_base(v) - log p_adapter(v))}, summed over the positions the attention mask keeps
 * (every real token of a row: each has a next-token distribution). Gradients flow into the adapter's log-probabilities
 * only; the base's are constants (computed without an adapter, outside any gradient). Every constant is an array in
 * {@code scope} (see RECIPES: never a Number under autograd).
 */
public final class KlDivergence {
    private KlDivergence() {
    }

    /**
     * @param baseLogProbs {@code log_softmax} of the base model's logits, {@code [B, T, V]}
     * @param adapterLogits the adapter's logits, {@code [B, T, V]}
     * @param batch the rows (its attention mask says which positions count; null mask = all)
     * @return the sum over the kept positions, a 0-d FLOAT32 array (divide by {@link #positions} for the token mean)
     */
    public static NDArray sum(NDArray baseLogProbs, NDArray adapterLogits, TrainingBatch batch, NDManager scope) {
        NDArray adapterLogProbs = adapterLogits.logSoftmax(-1);
        NDArray perPosition = baseLogProbs.exp().mul(baseLogProbs.sub(adapterLogProbs)).sum(new int[] {-1});
        long[] m = batch.attentionMask();
        if (m == null) {
            return perPosition.sum();
        }
        float[] keep = new float[m.length];
        for (int i = 0; i < m.length; i++) {
            keep[i] = m[i] != 0 ? 1f : 0f;
        }
        return perPosition.mul(scope.create(keep, new Shape(batch.batchSize(), batch.length()))).sum();
    }

    /** Positions that count: the attention mask's ones (all positions without a mask). */
    public static long positions(TrainingBatch batch) {
        return batch.inputTokens();
    }
}
