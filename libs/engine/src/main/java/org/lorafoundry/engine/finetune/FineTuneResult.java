package org.lorafoundry.engine.finetune;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lorafoundry.engine.lora.ParameterCount;

/**
 * How a run ended.
 *
 * @param outcome finished, or stopped by cancellation
 * @param adapterDirectory the final adapter in PEFT format; empty when cancelled
 * @param steps optimizer steps done (counting those before a resume)
 * @param totalSteps steps the run was planned for
 * @param resumedFromStep the checkpoint step this run continued from; 0 = from scratch
 * @param epochs epochs done, fractional
 * @param tokensTrained input tokens trained on
 * @param parameters trainable and total parameters (PEFT's counts)
 * @param metrics final metrics (see {@link FineTuneRun}: {@code train_loss}, {@code validation_loss},
 *     {@code validation_perplexity}, {@code kl_divergence}, {@code reference_loss}, {@code reference_perplexity},
 *     {@code base_reference_perplexity}, {@code train_runtime_seconds}, {@code tokens_per_second}), each present when
 *     it applies; empty when cancelled
 * @param lossCurve every step's loss, with the validation losses measured along the way
 * @param data what the data pipeline made of the files
 * @param duration wall time of this run (since prepare or resume; not counting earlier attempts)
 */
public record FineTuneResult(Outcome outcome, Optional<Path> adapterDirectory, int steps, int totalSteps,
        int resumedFromStep, double epochs, long tokensTrained, ParameterCount parameters, Map<String, Double> metrics,
        List<LossPoint> lossCurve, DataSummary data, Duration duration) {

    public enum Outcome {
        COMPLETED,
        CANCELLED
    }

    public FineTuneResult {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        lossCurve = List.copyOf(lossCurve);
    }

    public boolean cancelled() {
        return outcome == Outcome.CANCELLED;
    }
}
