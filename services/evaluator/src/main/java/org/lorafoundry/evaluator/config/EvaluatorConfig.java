package org.lorafoundry.evaluator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the evaluator ({@code foundry.evaluator.*}); each has an environment override. */
@ConfigMapping(prefix = "foundry.evaluator")
public interface EvaluatorConfig {

    /** Local directory where each run copies (and verifies) its inputs; a run's folder is deleted when it ends. */
    @WithDefault(".foundry/evaluator-work")
    Path workDir();

    /** Evaluations run at once by this instance (each loads a base model: keep it small). */
    @WithDefault("1")
    int concurrency();

    /**
     * How long a claimed evaluation stays this instance's without renewal. The instance renews every third of it while
     * it works; if it dies, another instance (or its restart) takes the evaluation over once the lease has expired.
     */
    @WithDefault("2m")
    Duration lease();

    /** How often idle workers look for evaluations to take over (new ones wake them at once). */
    @WithDefault("5s")
    Duration pollInterval();

    /** Runs (claims) of one evaluation before it fails for good: it keeps killing the evaluator (e.g. out of memory). */
    @WithDefault("3")
    int maxRuns();

    /** Defaults for what EvaluationSpec leaves unset. */
    Limits limits();

    /**
     * Gate policies of jobs without {@code spec.gate_policy}, by team; the key {@code "*"} applies to every team without
     * its own. A team with neither gets INVALID_GATE_POLICY for such jobs.
     */
    Map<String, Policy> defaultPolicies();

    interface Limits {
        /** EvaluationSpec.max_eval_examples when unset. */
        @WithDefault("200")
        int maxEvalExamples();

        /** EvaluationSpec.max_reference_examples when unset. */
        @WithDefault("100")
        int maxReferenceExamples();

        /** GenerationConfig.max_new_tokens when unset. */
        @WithDefault("64")
        int maxNewTokens();

        /** Generations shown in the report (base model vs adapter). */
        @WithDefault("5")
        int reportExamples();
    }

    /** One default policy: GatePolicy in properties. */
    interface Policy {
        List<Threshold> thresholds();

        /** PRODUCTION_OR_BASE_MODEL, PRODUCTION_ADAPTER or BASE_MODEL. */
        @WithDefault("PRODUCTION_OR_BASE_MODEL")
        String baselineMode();

        /** Alias of the baseline version; default "production". */
        Optional<String> baselineAlias();
    }

    /** One MetricThreshold: a value half (bounds), a change half (direction and slack), or both. */
    interface Threshold {
        String metric();

        Optional<Double> lowerBound();

        Optional<Double> upperBound();

        /** HIGHER_IS_BETTER or LOWER_IS_BETTER; present = this threshold has a change half. */
        Optional<String> direction();

        Optional<Double> absoluteSlack();

        Optional<Double> relativeSlack();
    }
}
