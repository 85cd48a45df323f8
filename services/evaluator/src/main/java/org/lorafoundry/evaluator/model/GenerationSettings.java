package org.lorafoundry.evaluator.model;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Text generation of evaluation (GenerationConfig with defaults filled in).
 *
 * @param maxNewTokens  generated tokens per example at most
 * @param stopSequences generation stops at the first of these (not included in the output)
 * @param temperature   0 = greedy (deterministic, the default for evaluation)
 * @param topP          nucleus sampling, only with temperature &gt; 0
 */
public record GenerationSettings(int maxNewTokens, List<String> stopSequences, double temperature, OptionalDouble topP) {

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
        }
        stopSequences = List.copyOf(stopSequences);
        Objects.requireNonNull(topP, "topP");
    }
}
