package org.lorafoundry.engine.train;

/**
 * What one optimizer step did.
 *
 * @param step 1-based optimizer step
 * @param loss mean of the micro-batch losses (each the mean over its labelled tokens)
 * @param learningRate the rate this step used
 * @param gradNorm global gradient 2-norm before clipping (what HF's Trainer logs as {@code grad_norm})
 * @param tokens input tokens read (attention mask ones) over the step's micro-batches
 * @param seconds wall time of the step
 */
public record StepMetrics(int step, double loss, double learningRate, double gradNorm, long tokens, double seconds) {

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "step %d: loss %.4f, lr %.3g, grad norm %.4f, %.0f tokens/s", step,
                loss, learningRate, gradNorm, tokensPerSecond());
    }
}
