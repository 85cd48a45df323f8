package org.lorafoundry.evaluator.report;

import java.util.List;
import java.util.Objects;

import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.evaluator.model.GenerationExample;

/**
 * Everything a report shows.
 *
 * @param completed      the outcome as EvaluationCompleted carries it (without its report reference)
 * @param policy         the gate policy applied
 * @param policySource   where the policy came from, e.g. "the job's gate_policy"
 * @param examples       generations of base model and adapter for the same prompts
 * @param unknownMetrics metric names asked for that the evaluator does not compute
 */
public record ReportContent(EvaluationCompleted completed, GatePolicy policy, String policySource,
        List<GenerationExample> examples, List<String> unknownMetrics) {

    public ReportContent {
        Objects.requireNonNull(completed, "completed");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(policySource, "policySource");
        examples = List.copyOf(examples);
        unknownMetrics = List.copyOf(unknownMetrics);
    }
}
