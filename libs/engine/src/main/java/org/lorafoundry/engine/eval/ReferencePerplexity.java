package org.lorafoundry.engine.eval;

/**
 * Perplexity of general text (every token of {@code text} rows), for the forgetting check: the same text with the
 * adapter on and off.
 *
 * @param adapter the adapter, or null for the base model
 * @param loss token-weighted mean NLL (nats)
 * @param perplexity {@code exp(loss)}
 * @param tokens predicted tokens
 * @param examples rows read
 * @param seconds wall-clock time
 */
public record ReferencePerplexity(String adapter, double loss, double perplexity, long tokens, int examples,
        double seconds) {

    /** {@code perplexity / baseline.perplexity - 1}: e.g. 0.05 = 5% more perplexed than the baseline. */
    public double relativeChangeFrom(ReferencePerplexity baseline) {
        return perplexity / baseline.perplexity - 1;
    }
}
