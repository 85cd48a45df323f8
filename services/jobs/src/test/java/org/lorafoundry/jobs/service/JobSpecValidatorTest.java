package org.lorafoundry.jobs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.lorafoundry.proto.v1.ChangeThreshold;
import org.lorafoundry.proto.v1.FieldViolation;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.RejectionCode;
import org.lorafoundry.proto.v1.ValueThreshold;

class JobSpecValidatorTest {

    private final JobSpecValidator validator = new JobSpecValidator();

    @Test
    void aCompleteSpecIsValid() {
        assertThat(validate(spec -> { }).valid()).isTrue();
    }

    @Test
    void everyProblemIsReportedAndTheFirstDecidesTheCode() {
        ValidationResult result = validate(spec -> {
            spec.clearBaseModel();
            spec.getLoraBuilder().setR(0).setLoraDropout(1.0f);
            spec.getHyperparametersBuilder().setLearningRate(0).setMaxSteps(0);
        });
        assertThat(result.code()).isEqualTo(RejectionCode.REJECTION_CODE_INVALID_SPEC);
        assertThat(result.violations()).extracting(FieldViolation::getField).containsExactly("spec.base_model.name",
                "spec.lora.r", "spec.lora.lora_dropout", "spec.hyperparameters.learning_rate",
                "spec.hyperparameters.max_steps");
        assertThat(result.summary()).contains("spec.lora.r: r (the LoRA rank) must be 1..1024, got 0");
    }

    @Test
    void hyperparameterRangesAreInclusiveWhereDocumented() {
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setLearningRate(1.0)).valid()).isTrue();
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setLearningRate(1.0001)).code())
                .isEqualTo(RejectionCode.REJECTION_CODE_HYPERPARAMETER_OUT_OF_RANGE);
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setPerDeviceBatchSize(4096)).valid()).isTrue();
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setPerDeviceBatchSize(4097)).valid()).isFalse();
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setWarmupRatio(1.0)).valid()).isFalse();
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setEpochs(Double.NaN)).valid()).isFalse();
        assertThat(validate(spec -> spec.getHyperparametersBuilder().setMaxSeqLength(7)).valid()).isFalse();
    }

    @Test
    void aSpecWithoutGatePolicyIsValidForTheTeamDefault() {
        assertThat(validate(JobSpec.Builder::clearGatePolicy).valid()).isTrue();
    }

    @Test
    void aGatePolicyWithoutThresholdsIsRefused() {
        ValidationResult result = validate(spec -> spec.setGatePolicy(GatePolicy.getDefaultInstance()));
        assertThat(result.code()).isEqualTo(RejectionCode.REJECTION_CODE_GATE_POLICY_EMPTY);
    }

    @Test
    void malformedThresholdsAreRefused() {
        ValidationResult result = validate(spec -> spec.setGatePolicy(GatePolicy.newBuilder()
                .addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match"))
                .addThresholds(MetricThreshold.newBuilder().setMetricName("perplexity")
                        .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(10).setUpperBound(5)))
                .addThresholds(MetricThreshold.newBuilder().setMetricName("loss")
                        .setChangeThreshold(ChangeThreshold.getDefaultInstance()))));
        assertThat(result.code()).isEqualTo(RejectionCode.REJECTION_CODE_INVALID_GATE_POLICY);
        assertThat(result.violations()).extracting(FieldViolation::getField).containsExactly(
                "spec.gate_policy.thresholds[0]", "spec.gate_policy.thresholds[1].value_threshold",
                "spec.gate_policy.thresholds[2].change_threshold.direction",
                "spec.gate_policy.thresholds[2].change_threshold");
    }

    @Test
    void idsAndNamesMustBeSafe() {
        assertThat(validate(spec -> spec.setJobId("../../etc")).code()).isEqualTo(RejectionCode.REJECTION_CODE_INVALID_SPEC);
        assertThat(validate(spec -> spec.setAdapterName("My Adapter")).valid()).isFalse();
        assertThat(validate(spec -> spec.getLoraBuilder().addTargetModules("q_proj").setTargetModulesRegex(".*proj"))
                .code()).isEqualTo(RejectionCode.REJECTION_CODE_INVALID_LORA_CONFIG);
    }

    @Test
    void defaultsFillWhatWasLeftOut() {
        JobSpec normalised = new JobSpecDefaults().apply(spec().setDisplayName("Dates → Words!").build());
        assertThat(normalised.getAdapterName()).isEqualTo("dates-words-");
        assertThat(normalised.getDataset().getTrainSplit()).isEqualTo("train");
        assertThat(normalised.getDataset().getValidationSplit()).isEqualTo("validation");
        assertThat(normalised.getPriority().name()).isEqualTo("PRIORITY_CLASS_NORMAL");
    }

    private ValidationResult validate(Consumer<JobSpec.Builder> change) {
        JobSpec.Builder spec = spec();
        change.accept(spec);
        return validator.validate(spec.build());
    }

    private static JobSpec.Builder spec() {
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId("job-1");
        spec.getBaseModelBuilder().setName("tiny-llama");
        spec.getDatasetBuilder().setName("dates");
        spec.getLoraBuilder().setR(8).setLoraAlpha(16);
        spec.getHyperparametersBuilder().setLearningRate(3e-3).setMaxSteps(600);
        spec.setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match")
                .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.9))));
        return spec;
    }
}
