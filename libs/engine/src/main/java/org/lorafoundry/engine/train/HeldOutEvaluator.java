package org.lorafoundry.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import org.lorafoundry.engine.lora.LoraModel;

/**
 * Loss measurements outside training: no gradient (no collector is open), no dropout (inference passes), one
 * sub-manager per batch, closed at once.
 */
public final class HeldOutEvaluator {
    private HeldOutEvaluator() {
    }

    /**
     * A summed token loss and the tokens it sums over.
     *
     * @param nll summed negative log-likelihood (nats)
     * @param tokens labelled tokens
     */
    public record TokenLoss(double nll, long tokens) {
        /** Mean token loss; NaN without tokens. */
        public double mean() {
            return tokens == 0 ? Double.NaN : nll / tokens;
        }

        public double perplexity() {
            return Math.exp(mean());
        }
    }

    /**
     * The forgetting measures on reference data.
     *
     * @param klDivergence token mean of {@code KL(base || adapter)} over every non-padding position
     * @param adapter the adapter's token loss
     * @param base the base model's token loss
     */
    public record ReferenceMetrics(double klDivergence, TokenLoss adapter, TokenLoss base) {
    }

    /** Mean token loss of {@code adapter} (null = the base alone) over every labelled token of the batches. */
    public static TokenLoss tokenLoss(LoraModel model, String adapter, Iterator<TrainingBatch> batches) {
        double nll = 0;
        long tokens = 0;
        while (batches.hasNext()) {
            TrainingBatch batch = batches.next();
            try (NDManager scope = model.base().manager().newSubManager()) {
                NDArray logits = forward(model, adapter, batch, scope);
                nll += CausalLmLoss.sum(logits, batch, scope).getFloat();
                tokens += batch.labelledTokens();
            }
        }
        return new TokenLoss(nll, tokens);
    }

    /** KL between the base and the adapter, and both token losses, over every batch. */
    public static ReferenceMetrics reference(LoraModel model, String adapter, Iterator<TrainingBatch> batches) {
        double kl = 0;
        long positions = 0;
        double adapterNll = 0;
        double baseNll = 0;
        long tokens = 0;
        while (batches.hasNext()) {
            TrainingBatch batch = batches.next();
            try (NDManager scope = model.base().manager().newSubManager()) {
                NDArray baseLogits = forward(model, null, batch, scope);
                NDArray adapterLogits = forward(model, adapter, batch, scope);
                kl += KlDivergence.sum(baseLogits.logSoftmax(-1), adapterLogits, batch, scope).getFloat();
                positions += KlDivergence.positions(batch);
                baseNll += CausalLmLoss.sum(baseLogits, batch, scope).getFloat();
                adapterNll += CausalLmLoss.sum(adapterLogits, batch, scope).getFloat();
                tokens += batch.labelledTokens();
            }
        }
        return new ReferenceMetrics(positions == 0 ? Double.NaN : kl / positions, new TokenLoss(adapterNll, tokens),
                new TokenLoss(baseNll, tokens));
    }

    private static NDArray forward(LoraModel model, String adapter, TrainingBatch batch, NDManager scope) {
        Shape shape = new Shape(batch.batchSize(), batch.length());
        NDArray ids = scope.create(batch.inputIds(), shape);
        NDArray mask = batch.attentionMask() == null ? null : scope.create(batch.attentionMask(), shape);
        return model.forward(ids, mask, adapter);
    }
}
