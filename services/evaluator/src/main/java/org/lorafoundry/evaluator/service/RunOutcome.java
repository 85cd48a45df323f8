package org.lorafoundry.evaluator.service;

import java.util.List;
import java.util.Objects;

import org.lorafoundry.evaluator.domain.MetricPlan;
import org.lorafoundry.evaluator.model.GenerationExample;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationErrorCode;

/** How a run ended, before it is made durable. */
public sealed interface RunOutcome {

    /**
     * Measured and gated.
     *
     * @param completed the event to publish, still without its report reference
     * @param examples  generations for the report
     * @param metrics   what was asked for (the report lists the unknown names)
     */
    record Completed(EvaluationCompleted completed, List<GenerationExample> examples, MetricPlan metrics)
            implements RunOutcome {
        public Completed {
            Objects.requireNonNull(completed, "completed");
            examples = List.copyOf(examples);
            Objects.requireNonNull(metrics, "metrics");
        }
    }

    /** No verdict: the typed code and a message a person can act on. */
    record Failed(EvaluationErrorCode code, String message) implements RunOutcome {
        public Failed {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }
}
