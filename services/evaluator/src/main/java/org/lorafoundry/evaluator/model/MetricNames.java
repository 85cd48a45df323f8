package org.lorafoundry.evaluator.model;

import java.util.Set;

/**
 * The metric names of the platform (spec.proto, EvaluationSpec), used in EvaluationSpec.metrics, gate thresholds,
 * EvaluationCompleted and reports.
 */
public final class MetricNames {

    /** Mean token cross-entropy on the evaluation rows (nats; lower is better). */
    public static final String VALIDATION_LOSS = "validation_loss";
    /** exp(validation_loss) (lower is better). */
    public static final String PERPLEXITY = "perplexity";
    /** Fraction of generations equal to the reference after normalisation, [0, 1]. */
    public static final String EXACT_MATCH = "exact_match";
    /** Mean token-level F1 of generation vs reference, [0, 1]. */
    public static final String TOKEN_F1 = "token_f1";
    /** Fraction of generations equal to the row's label, [0, 1] (labelled data). */
    public static final String ACCURACY = "accuracy";
    /** Mean token cross-entropy on the reference set, with the model evaluated (nats). */
    public static final String REFERENCE_LOSS = "reference_loss";
    /** Perplexity on the reference set with the model evaluated (candidate: with its adapter). */
    public static final String REFERENCE_PERPLEXITY = "reference_perplexity";
    /** Perplexity on the reference set of the base model alone. */
    public static final String REFERENCE_PERPLEXITY_BASE = "reference_perplexity_base";
    /** reference_perplexity / reference_perplexity_base - 1: relative loss of general ability (lower is better). */
    public static final String FORGETTING = "forgetting";
    /** Seconds the model evaluation took (cost). */
    public static final String EVAL_SECONDS = "eval_seconds";
    /** Tokens the engine processed for the evaluation (cost). */
    public static final String EVAL_TOKENS = "eval_tokens";

    /** What the model side (the engine) computes. */
    public static final Set<String> MODEL_METRICS = Set.of(VALIDATION_LOSS, PERPLEXITY, EXACT_MATCH, TOKEN_F1, ACCURACY,
            REFERENCE_LOSS, REFERENCE_PERPLEXITY, REFERENCE_PERPLEXITY_BASE);
    /** Metrics that need generated outputs. */
    public static final Set<String> GENERATION_METRICS = Set.of(EXACT_MATCH, TOKEN_F1, ACCURACY);
    /** What the service derives itself from the model's numbers and its own clock. */
    public static final Set<String> DERIVED_METRICS = Set.of(FORGETTING, EVAL_SECONDS, EVAL_TOKENS);

    private MetricNames() {
    }

    public static boolean isKnown(String name) {
        return MODEL_METRICS.contains(name) || DERIVED_METRICS.contains(name);
    }
}
