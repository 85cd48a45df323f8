package org.lorafoundry.engine.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.lorafoundry.engine.lora.LoraModel;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * The summed NLL of a batch's label tokens, as transformers' causal-LM loss counts them: the logits at {@code t}
 * predict the label at {@code t + 1}, labels of -100 (and padding) are skipped. Log-probabilities are float32
 * ({@code logSoftmax} + {@code gather}, like the training loss); the sum is taken in double.
 */
final class LabelLikelihood {
    private LabelLikelihood() {
    }

    static TokenNll of(LoraModel model, String adapter, TrainingBatch batch) {
        int b = batch.batchSize();
        int t = batch.length();
        long[] labels = batch.labels();
        long[] target = new long[b * (t - 1)];
        for (int i = 0; i < b; i++) {
            for (int j = 1; j < t; j++) {
                long label = labels[i * t + j];
                target[i * (t - 1) + j - 1] = label == TrainingBatch.IGNORE_INDEX ? 0 : label;
            }
        }
        float[] logProbs;
        try (NDManager scope = model.base().manager().newSubManager()) {
            NDArray ids = scope.create(batch.inputIds(), new Shape(b, t));
            NDArray mask = batch.attentionMask() == null ? null
                    : scope.create(batch.attentionMask(), new Shape(b, t));
            NDArray logits = model.forward(ids, mask, adapter);
            NDArray index = scope.create(target, new Shape(b, t - 1, 1));
            logProbs = logits.get(":, 0:" + (t - 1) + ", :").logSoftmax(-1).gather(index, 2).toFloatArray();
        }
        double sum = 0;
        long count = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 1; j < t; j++) {
                if (labels[i * t + j] != TrainingBatch.IGNORE_INDEX) {
                    sum -= logProbs[i * (t - 1) + j - 1];
                    count++;
                }
            }
        }
        return new TokenNll(sum, count);
    }
}
