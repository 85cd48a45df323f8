package org.lorafoundry.engine.train;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What one optimizer step did.
 *
 * @param step 1-based optimizer step
 * @param loss the task loss: summed token cross-entropy of the step's micro-batches divided by their labelled tokens
 *     (transformers' Trainer with {@code num_items_in_batch})
 * @param learningRate the rate this step used
 * @param gradNorm global gradient 2-norm before clipping (what HF's Trainer logs as {@code grad_norm})
 * @param tokens input tokens read (attention mask ones) over the step's micro-batches
 * @param labelledTokens tokens the loss counted over the step's micro-batches
 * @param seconds wall time of the step
 * @param klDivergence the forgetting term {@code KL(base || adapter)} (token mean) on the step's reference batch, if
 *     it had one
 * @param referenceLoss the adapter's mean token loss on that reference batch, if any
 */
public record StepMetrics(int step, double loss, double learningRate, double gradNorm, long tokens, long labelledTokens,
        double seconds, OptionalDouble klDivergence, OptionalDouble referenceLoss) {

    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }

    @Override
    public String toString() {
        String kl = klDivergence.isPresent() ? String.format(Locale.ROOT, ", KL %.4f", klDivergence.getAsDouble()) : "";
        return String.format(Locale.ROOT, "step %d: loss %.4f%s, lr %.3g, grad norm %.4f, %.0f tokens/s", step, loss,
                kl, learningRate, gradNorm, tokensPerSecond());
    }
}
