package org.lorafoundry.engine.eval;

/**
 * Summed negative log-likelihood (nats) of some label tokens and their number; sums add across batches, so the mean is
 * token-weighted over a whole dataset (as transformers' loss over one batch holding every example).
 */
public record TokenNll(double sum, long tokens) {
    public static final TokenNll ZERO = new TokenNll(0, 0);

    public TokenNll plus(TokenNll other) {
        return new TokenNll(sum + other.sum, tokens + other.tokens);
    }

    /** The mean NLL per token (the loss); NaN without tokens. */
    public double mean() {
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    public double perplexity() {
        return Math.exp(mean());
    }
}
