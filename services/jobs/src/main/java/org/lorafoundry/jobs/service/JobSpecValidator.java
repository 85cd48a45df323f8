package org.lorafoundry.jobs.service;

import java.util.regex.Pattern;

import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.Hyperparameters;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.LoraConfig;
import org.lorafoundry.proto.v1.MetricDirection;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.RejectionCode;

/**
 * Checks what can be checked from a spec alone: required fields, formats, documented hyperparameter ranges, the LoRA
 * config's own consistency and the gate policy. Facts owned elsewhere (datasets, base models, quotas) are checked by the
 * services that hold their replicas. Reports every problem, not only the first.
 *
 * <p>Ranges (documented in services/jobs/README.md): learning_rate (0, 1]; per_device_batch_size 1..4096;
 * gradient_accumulation_steps 1..1024; epochs (0, 1000]; max_steps 1..10,000,000; warmup_ratio [0, 1);
 * weight_decay [0, 1]; max_grad_norm &gt; 0; max_seq_length 8..131072; r 1..1024; lora_alpha &gt; 0;
 * lora_dropout [0, 1).
 */
public final class JobSpecValidator {

    public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final Pattern ADAPTER_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    public ValidationResult validate(JobSpec spec) {
        Violations violations = new Violations();
        if (!spec.getJobId().isEmpty() && !JOB_ID.matcher(spec.getJobId()).matches()) {
            violations.add(RejectionCode.REJECTION_CODE_INVALID_SPEC, "spec.job_id", "INVALID",
                    "job_id must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        }
        if (!spec.getAdapterName().isEmpty() && !ADAPTER_NAME.matcher(spec.getAdapterName()).matches()) {
            violations.add(RejectionCode.REJECTION_CODE_INVALID_SPEC, "spec.adapter_name", "INVALID",
                    "adapter_name must start with a-z or 0-9 and use only a-z, 0-9, '.', '_' and '-' (at most 64)");
        }
        if (spec.getBaseModel().getName().isBlank()) {
            violations.add(RejectionCode.REJECTION_CODE_INVALID_SPEC, "spec.base_model.name", "REQUIRED",
                    "name the base model to adapt (a registered base model, e.g. from `foundry models list`)");
        }
        if (spec.getDataset().getDatasetId().isBlank() && spec.getDataset().getName().isBlank()) {
            violations.add(RejectionCode.REJECTION_CODE_INVALID_SPEC, "spec.dataset", "REQUIRED",
                    "give dataset.dataset_id or dataset.name (an ingested dataset of your team)");
        }
        if (spec.getDataset().hasValidationFraction()) {
            double fraction = spec.getDataset().getValidationFraction();
            if (!(fraction > 0 && fraction <= 0.5)) {
                violations.add(RejectionCode.REJECTION_CODE_INVALID_SPEC, "spec.dataset.validation_fraction",
                        "OUT_OF_RANGE", "validation_fraction must be in (0, 0.5], got " + fraction);
            }
        }
        checkLora(spec.getLora(), violations);
        checkHyperparameters(spec.getHyperparameters(), violations);
        if (spec.hasGatePolicy()) {
            // No gate_policy at all: the evaluator applies the team's default policy (services/evaluator/README.md).
            checkGatePolicy(spec.getGatePolicy(), violations);
        }
        return violations.result();
    }

    private static void checkLora(LoraConfig lora, Violations violations) {
        RejectionCode code = RejectionCode.REJECTION_CODE_INVALID_LORA_CONFIG;
        if (lora.hasR() && (lora.getR() < 1 || lora.getR() > 1024)) {
            violations.add(code, "spec.lora.r", "OUT_OF_RANGE", "r (the LoRA rank) must be 1..1024, got " + lora.getR());
        }
        if (lora.hasLoraAlpha() && !(lora.getLoraAlpha() > 0)) {
            violations.add(code, "spec.lora.lora_alpha", "OUT_OF_RANGE", "lora_alpha must be > 0, got " + lora.getLoraAlpha());
        }
        if (lora.hasLoraDropout() && !(lora.getLoraDropout() >= 0 && lora.getLoraDropout() < 1)) {
            violations.add(code, "spec.lora.lora_dropout", "OUT_OF_RANGE",
                    "lora_dropout must be in [0, 1), got " + lora.getLoraDropout());
        }
        if (lora.getTargetModulesCount() > 0 && !lora.getTargetModulesRegex().isEmpty()) {
            violations.add(code, "spec.lora.target_modules", "CONFLICT",
                    "give target_modules (names or suffixes) or target_modules_regex, not both");
        }
        lora.getRankPatternMap().forEach((pattern, rank) -> {
            if (rank < 1 || rank > 1024) {
                violations.add(code, "spec.lora.rank_pattern[" + pattern + "]", "OUT_OF_RANGE",
                        "ranks must be 1..1024, got " + rank);
            }
        });
        for (int i = 0; i < lora.getLayersToTransformCount(); i++) {
            if (lora.getLayersToTransform(i) < 0) {
                violations.add(code, "spec.lora.layers_to_transform[" + i + "]", "OUT_OF_RANGE",
                        "layer indices start at 0");
            }
        }
    }

    private static void checkHyperparameters(Hyperparameters h, Violations v) {
        RejectionCode code = RejectionCode.REJECTION_CODE_HYPERPARAMETER_OUT_OF_RANGE;
        if (h.hasLearningRate() && !(h.getLearningRate() > 0 && h.getLearningRate() <= 1)) {
            v.add(code, "spec.hyperparameters.learning_rate", "OUT_OF_RANGE",
                    "learning_rate must be in (0, 1], got " + h.getLearningRate() + " (LoRA typically uses 1e-4 to 3e-3)");
        }
        if (h.hasPerDeviceBatchSize() && (h.getPerDeviceBatchSize() < 1 || h.getPerDeviceBatchSize() > 4096)) {
            v.add(code, "spec.hyperparameters.per_device_batch_size", "OUT_OF_RANGE",
                    "per_device_batch_size must be 1..4096, got " + h.getPerDeviceBatchSize());
        }
        if (h.hasGradientAccumulationSteps()
                && (h.getGradientAccumulationSteps() < 1 || h.getGradientAccumulationSteps() > 1024)) {
            v.add(code, "spec.hyperparameters.gradient_accumulation_steps", "OUT_OF_RANGE",
                    "gradient_accumulation_steps must be 1..1024, got " + h.getGradientAccumulationSteps());
        }
        switch (h.getLengthCase()) {
            case EPOCHS -> {
                if (!(h.getEpochs() > 0 && h.getEpochs() <= 1000)) {
                    v.add(code, "spec.hyperparameters.epochs", "OUT_OF_RANGE",
                            "epochs must be in (0, 1000], got " + h.getEpochs());
                }
            }
            case MAX_STEPS -> {
                if (h.getMaxSteps() < 1 || h.getMaxSteps() > 10_000_000) {
                    v.add(code, "spec.hyperparameters.max_steps", "OUT_OF_RANGE",
                            "max_steps must be 1..10000000, got " + h.getMaxSteps());
                }
            }
            default -> {
                // neither: the default length applies
            }
        }
        if (h.hasWarmupSteps() && h.getWarmupSteps() < 0) {
            v.add(code, "spec.hyperparameters.warmup_steps", "OUT_OF_RANGE", "warmup_steps must be >= 0");
        }
        if (h.hasWarmupRatio() && !(h.getWarmupRatio() >= 0 && h.getWarmupRatio() < 1)) {
            v.add(code, "spec.hyperparameters.warmup_ratio", "OUT_OF_RANGE",
                    "warmup_ratio must be in [0, 1), got " + h.getWarmupRatio());
        }
        if (h.hasWeightDecay() && !(h.getWeightDecay() >= 0 && h.getWeightDecay() <= 1)) {
            v.add(code, "spec.hyperparameters.weight_decay", "OUT_OF_RANGE",
                    "weight_decay must be in [0, 1], got " + h.getWeightDecay());
        }
        if (h.hasMaxGradNorm() && !(h.getMaxGradNorm() > 0)) {
            v.add(code, "spec.hyperparameters.max_grad_norm", "OUT_OF_RANGE",
                    "max_grad_norm must be > 0 (leave it unset for the default), got " + h.getMaxGradNorm());
        }
        if (h.hasMaxSeqLength() && (h.getMaxSeqLength() < 8 || h.getMaxSeqLength() > 131_072)) {
            v.add(code, "spec.hyperparameters.max_seq_length", "OUT_OF_RANGE",
                    "max_seq_length must be 8..131072, got " + h.getMaxSeqLength());
        }
    }

    private static void checkGatePolicy(GatePolicy policy, Violations v) {
        if (policy.getThresholdsCount() == 0) {
            v.add(RejectionCode.REJECTION_CODE_GATE_POLICY_EMPTY, "spec.gate_policy.thresholds", "REQUIRED",
                    "a gate policy needs at least one threshold: nothing is blessed by accident "
                            + "(e.g. exact_match value_threshold lower_bound 0.9); leave gate_policy out to use "
                            + "your team's default policy");
            return;
        }
        RejectionCode code = RejectionCode.REJECTION_CODE_INVALID_GATE_POLICY;
        for (int i = 0; i < policy.getThresholdsCount(); i++) {
            MetricThreshold threshold = policy.getThresholds(i);
            String field = "spec.gate_policy.thresholds[" + i + "]";
            if (threshold.getMetricName().isBlank()) {
                v.add(code, field + ".metric_name", "REQUIRED", "name the metric this threshold gates");
            }
            if (!threshold.hasValueThreshold() && !threshold.hasChangeThreshold()) {
                v.add(code, field, "REQUIRED", "give a value_threshold, a change_threshold or both");
            }
            if (threshold.hasValueThreshold()) {
                var value = threshold.getValueThreshold();
                if (!value.hasLowerBound() && !value.hasUpperBound()) {
                    v.add(code, field + ".value_threshold", "REQUIRED", "give lower_bound, upper_bound or both");
                } else if (value.hasLowerBound() && value.hasUpperBound() && value.getLowerBound() > value.getUpperBound()) {
                    v.add(code, field + ".value_threshold", "INVALID", "lower_bound is above upper_bound: nothing can pass");
                }
            }
            if (threshold.hasChangeThreshold()) {
                ChangeThreshold change = threshold.getChangeThreshold();
                if (change.getDirection() == MetricDirection.METRIC_DIRECTION_UNSPECIFIED) {
                    v.add(code, field + ".change_threshold.direction", "REQUIRED",
                            "say whether higher or lower is better for " + threshold.getMetricName());
                }
                if (!change.hasAbsoluteSlack() && !change.hasRelativeSlack()) {
                    v.add(code, field + ".change_threshold", "REQUIRED", "give absolute_slack, relative_slack or both");
                }
            }
        }
    }
}
