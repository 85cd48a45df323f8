package org.lorafoundry.engine.data;

import java.util.Arrays;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * One encoded training example: token ids and labels of the same length. A label is either the token id at that
 * position (learned) or {@link TrainingBatch#IGNORE_INDEX} (-100, no loss), as in transformers. The shift (label
 * {@code t} predicted from position {@code t - 1}) happens in the loss, not here.
 */
public record TrainingExample(long[] inputIds, long[] labels) {
    public TrainingExample {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("input ids (" + inputIds.length + ") and labels (" + labels.length
                    + ") differ in length");
        }
    }

    public int length() {
        return inputIds.length;
    }

    /** Positions whose label is not -100 (the first position included; the loss never uses it). */
    public int labelledTokens() {
        return (int) Arrays.stream(labels).filter(l -> l != TrainingBatch.IGNORE_INDEX).count();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingExample e && Arrays.equals(inputIds, e.inputIds) && Arrays.equals(labels, e.labels);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(inputIds) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "TrainingExample[inputIds=" + Arrays.toString(inputIds) + ", labels=" + Arrays.toString(labels) + "]";
    }
}
