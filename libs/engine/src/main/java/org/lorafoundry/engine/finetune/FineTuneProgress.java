package org.lorafoundry.engine.finetune;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What a run reports after every optimizer step (the platform's {@code TrainingProgress}).
 *
 * @param step optimizer steps done (1-based, counting the steps before a resume)
 * @param totalSteps steps the run will take
 * @param epoch epochs done, fractional
 * @param loss the step's task loss (mean over its labelled tokens; the KL term is reported apart)
 * @param learningRate the rate the step used
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond input tokens per second since the run (or its resume) started
 * @param etaSeconds estimated seconds to the end, from the mean step time so far (evaluations included)
 * @param tokensSeen input tokens trained on so far (counting the steps before a resume)
 * @param validationLoss mean token loss on the validation data, when a validation pass ran at this step
 * @param klDivergence {@code KL(base || adapter)} on the step's reference batch, when it had one
 * @param referencePerplexity the adapter's perplexity on that reference batch, when it had one
 */
public record FineTuneProgress(int step, int totalSteps, double epoch, double loss, double learningRate,
        double gradNorm, double tokensPerSecond, double etaSeconds, long tokensSeen, OptionalDouble validationLoss,
        OptionalDouble klDivergence, OptionalDouble referencePerplexity) {

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "step %d/%d (epoch %.2f): loss %.4f, lr %.3g, grad norm %.3f, %.0f tokens/s, eta %.0f s", step,
                totalSteps, epoch, loss, learningRate, gradNorm, tokensPerSecond, etaSeconds));
        validationLoss.ifPresent(v -> s.append(String.format(Locale.ROOT, ", validation loss %.4f", v)));
        klDivergence.ifPresent(v -> s.append(String.format(Locale.ROOT, ", KL %.4f", v)));
        referencePerplexity.ifPresent(v -> s.append(String.format(Locale.ROOT, ", reference perplexity %.2f", v)));
        return s.toString();
    }
}
