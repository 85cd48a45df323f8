package org.lorafoundry.jobs.messaging;

import java.util.function.Consumer;

import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobCommand;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.SubmitTrainingJob;
import org.lorafoundry.proto.v1.ValueThreshold;

/** Valid job commands for tests, to be spoiled one field at a time. */
final class TestSpecs {

    private TestSpecs() {
    }

    static JobSpec.Builder validSpec(String jobId) {
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId(jobId).setDisplayName("Dates to words");
        spec.getBaseModelBuilder().setName("tiny-llama");
        spec.getDatasetBuilder().setName("dates");
        spec.getLoraBuilder().setR(8).setLoraAlpha(16).addTargetModules("q_proj").addTargetModules("v_proj");
        spec.getHyperparametersBuilder().setLearningRate(3e-3).setMaxSteps(600).setPerDeviceBatchSize(32);
        spec.setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match")
                .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.9))));
        return spec;
    }

    static JobCommand submit(String jobId) {
        return submit(jobId, spec -> { });
    }

    static JobCommand submit(String jobId, Consumer<JobSpec.Builder> spoil) {
        JobSpec.Builder spec = validSpec(jobId);
        spoil.accept(spec);
        return JobCommand.newBuilder().setSubmitTrainingJob(SubmitTrainingJob.newBuilder().setSpec(spec)).build();
    }
}
