package org.lorafoundry.engine.eval;

/**
 * What an evaluation cost.
 *
 * @param seconds wall-clock time
 * @param lossTokens tokens read by the loss pass (padding excluded)
 * @param promptTokens prompt tokens read by the generations
 * @param generatedTokens tokens generated
 */
public record EvaluationCost(double seconds, long lossTokens, long promptTokens, long generatedTokens) {

    /** Every token the model processed: loss pass + prompts + generated. */
    public long tokensProcessed() {
        return lossTokens + promptTokens + generatedTokens;
    }

    /** Processed tokens per second. */
    public double tokensPerSecond() {
        return seconds > 0 ? tokensProcessed() / seconds : Double.NaN;
    }
}
