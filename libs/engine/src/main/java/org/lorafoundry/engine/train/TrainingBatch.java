package org.lorafoundry.engine.train;

import java.util.Arrays;

/**
 * One micro-batch: token ids, attention mask (1 = token, 0 = right padding; null = all tokens) and labels, each
 * {@code [batchSize, length]} row-major. A label of {@link #IGNORE_INDEX} (-100) is not learned; as in transformers'
 * causal-LM loss the label at position {@code t} is predicted from the logits at {@code t - 1} (the first label of each
 * row is never used).
 */
public record TrainingBatch(long[] inputIds, long[] attentionMask, long[] labels, int batchSize, int length) {
    public static final long IGNORE_INDEX = -100;

    public TrainingBatch {
        if (batchSize < 1 || length < 2) {
            throw new IllegalArgumentException("a training batch needs batchSize >= 1 and length >= 2, got ["
                    + batchSize + ", " + length + "]");
        }
        long n = (long) batchSize * length;
        if (inputIds.length != n || labels.length != n || (attentionMask != null && attentionMask.length != n)) {
            throw new IllegalArgumentException("input ids, labels and attention mask must all hold " + batchSize + " x "
                    + length + " = " + n + " values (got " + inputIds.length + ", " + labels.length + ", "
                    + (attentionMask == null ? "no mask" : attentionMask.length) + ")");
        }
        for (long l : labels) {
            if (l < 0 && l != IGNORE_INDEX) {
                throw new IllegalArgumentException("label " + l + " is negative and not " + IGNORE_INDEX);
            }
        }
    }

    /** Labels that count in the loss: positions 1..length-1 of each row whose label is not -100. */
    public long labelledTokens() {
        long count = 0;
        for (int b = 0; b < batchSize; b++) {
            for (int t = 1; t < length; t++) {
                if (labels[b * length + t] != IGNORE_INDEX) {
                    count++;
                }
            }
        }
        return count;
    }

    /** Tokens the model reads (attention mask ones). */
    public long inputTokens() {
        return attentionMask == null ? inputIds.length : Arrays.stream(attentionMask).filter(m -> m != 0).count();
    }
}
