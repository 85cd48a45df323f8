package org.lorafoundry.evaluator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.lorafoundry.evaluator.model.ModelEvaluation;

class MeasuredMetricsTest {

    @Test
    void forgettingIsTheRelativeRiseOfReferencePerplexityForCandidateAndBaseline() {
        ModelEvaluation measured = new ModelEvaluation(
                Map.of("reference_perplexity", 5.0, "reference_perplexity_base", 4.0, "accuracy", 0.75),
                Map.of("reference_perplexity", 4.5, "accuracy", 0.5), List.of(), 10, 20, 1234);
        MeasuredMetrics metrics = MeasuredMetrics.of(measured, true, Duration.ofMillis(2500));
        assertThat(metrics.candidate()).containsEntry("forgetting", 0.25).containsEntry("eval_seconds", 2.5)
                .containsEntry("eval_tokens", 1234.0).containsEntry("accuracy", 0.75);
        // the baseline adapter on the same base model: 4.5 / 4 - 1
        assertThat(metrics.baseline()).containsEntry("forgetting", 0.125).containsEntry("reference_perplexity_base", 4.0)
                .doesNotContainKey("eval_seconds");
    }

    @Test
    void theBaseModelAsBaselineForgetsNothing() {
        ModelEvaluation measured = new ModelEvaluation(Map.of("reference_perplexity", 5.0,
                "reference_perplexity_base", 4.0), Map.of("reference_perplexity", 4.0), List.of(), 1, 1, 1);
        assertThat(MeasuredMetrics.of(measured, true, Duration.ZERO).baseline()).containsEntry("forgetting", 0.0);
    }

    @Test
    void withoutABaselineOnlyTheCandidateIsReported() {
        ModelEvaluation measured = new ModelEvaluation(Map.of("accuracy", 1.0), Map.of("accuracy", 0.0), List.of(), 1, 0,
                0);
        MeasuredMetrics metrics = MeasuredMetrics.of(measured, false, Duration.ZERO);
        assertThat(metrics.baseline()).isNull();
        assertThat(metrics.candidate()).doesNotContainKey("forgetting"); // no reference perplexities measured
    }
}
