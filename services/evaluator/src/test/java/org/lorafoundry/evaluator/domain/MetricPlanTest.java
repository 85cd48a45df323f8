package org.lorafoundry.evaluator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.EvaluationSpec;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.MetricThreshold;

class MetricPlanTest {

    @Test
    void byDefaultLossPerplexityTheForgettingCheckAndTheCost() {
        MetricPlan plan = MetricPlan.of(EvaluationSpec.getDefaultInstance(), GatePolicy.getDefaultInstance(), false);
        assertThat(plan.reported()).containsExactlyInAnyOrder("validation_loss", "perplexity", "reference_loss",
                "reference_perplexity", "reference_perplexity_base", "forgetting", "eval_seconds", "eval_tokens");
        assertThat(plan.fromModel()).containsExactlyInAnyOrder("validation_loss", "perplexity", "reference_loss",
                "reference_perplexity", "reference_perplexity_base");
        assertThat(plan.unknown()).isEmpty();
    }

    @Test
    void labelledDataAddsAccuracyByDefault() {
        assertThat(MetricPlan.of(EvaluationSpec.getDefaultInstance(), GatePolicy.getDefaultInstance(), true).fromModel())
                .contains("accuracy");
    }

    @Test
    void askedAndGatedMetricsAreComputedAndUnknownNamesReported() {
        EvaluationSpec spec = EvaluationSpec.newBuilder().addMetrics("token_f1").addMetrics("bleu").build();
        GatePolicy policy = GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match"))
                .addThresholds(MetricThreshold.newBuilder().setMetricName("rouge_l")).build();
        MetricPlan plan = MetricPlan.of(spec, policy, true);
        assertThat(plan.fromModel()).contains("token_f1", "exact_match").doesNotContain("validation_loss", "accuracy");
        assertThat(plan.unknown()).containsExactly("bleu", "rouge_l");
    }
}
