package org.lorafoundry.cli.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lorafoundry.cli.CliException;
import org.lorafoundry.cli.ExitCode;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.LrScheduler;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.PriorityClass;
import org.lorafoundry.proto.v1.ValueThreshold;

class JobSpecReaderTest {

    private static final String YAML = """
            # the example of services/jobs/README.md, in YAML
            jobId: sentiment-r8-001
            displayName: Sentiment classifier, rank 8
            baseModel: {name: tiny-llama-1m}
            dataset:
              name: reviews
            lora:
              r: 8
              lora_alpha: 16          # .proto names work too
              loraDropout: 0.05
              targetModules: [q_proj, v_proj]
            hyperparameters:
              epochs: 3
              learningRate: 2.0e-4
              lrScheduler: LR_SCHEDULER_COSINE
            gatePolicy:
              thresholds:
                - metricName: accuracy
                  valueThreshold: {lowerBound: 0.8}
            priority: PRIORITY_CLASS_HIGH
            labels: {owner: alice}
            """;

    private final JobSpecReader reader = new JobSpecReader();

    @TempDir
    Path dir;

    private static JobSpec expected() {
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId("sentiment-r8-001")
                .setDisplayName("Sentiment classifier, rank 8").setPriority(PriorityClass.PRIORITY_CLASS_HIGH)
                .putLabels("owner", "alice");
        spec.getBaseModelBuilder().setName("tiny-llama-1m");
        spec.getDatasetBuilder().setName("reviews");
        spec.getLoraBuilder().setR(8).setLoraAlpha(16).setLoraDropout(0.05f).addTargetModules("q_proj")
                .addTargetModules("v_proj");
        spec.getHyperparametersBuilder().setEpochs(3).setLearningRate(2.0e-4)
                .setLrScheduler(LrScheduler.LR_SCHEDULER_COSINE);
        spec.setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("accuracy")
                .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.8))));
        return spec.build();
    }

    @Test
    void yamlReadsIntoTheJobSpecTheSameFieldsWouldBuild() throws Exception {
        Path file = Files.writeString(dir.resolve("job.yaml"), YAML, StandardCharsets.UTF_8);

        assertThat(reader.read(file.toString(), null)).isEqualTo(expected());
    }

    @Test
    void jsonReadsIntoTheSameSpec() throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"), """
                {"jobId": "sentiment-r8-001", "displayName": "Sentiment classifier, rank 8",
                 "baseModel": {"name": "tiny-llama-1m"}, "dataset": {"name": "reviews"},
                 "lora": {"r": 8, "loraAlpha": 16, "loraDropout": 0.05, "targetModules": ["q_proj", "v_proj"]},
                 "hyperparameters": {"epochs": 3, "learningRate": 0.0002, "lrScheduler": "LR_SCHEDULER_COSINE"},
                 "gatePolicy": {"thresholds": [{"metricName": "accuracy", "valueThreshold": {"lowerBound": 0.8}}]},
                 "priority": "PRIORITY_CLASS_HIGH", "labels": {"owner": "alice"}}
                """, StandardCharsets.UTF_8);

        assertThat(reader.read(file.toString(), null)).isEqualTo(expected());
    }

    @Test
    void dashReadsStandardInput() {
        JobSpec spec = reader.read("-", new ByteArrayInputStream(YAML.getBytes(StandardCharsets.UTF_8)));

        assertThat(spec).isEqualTo(expected());
    }

    @Test
    void aMisspeltFieldIsAnErrorNamingItAndItsMessage() {
        String typo = YAML.replace("loraDropout: 0.05", "loraDropuot: 0.05");

        assertThatThrownBy(() -> reader.parse(typo, "job.yaml")).isInstanceOfSatisfying(CliException.class, e -> {
            assertThat(e.code()).isEqualTo(JobSpecReader.MALFORMED_SPEC);
            assertThat(e.exitCode()).isEqualTo(ExitCode.REFUSED);
            assertThat(e.getMessage()).startsWith("The job spec job.yaml is not a foundry.v1.JobSpec")
                    .contains("loraDropuot").contains("foundry.v1.LoraConfig");
        });
    }

    @Test
    void anUnknownEnumValueIsAnError() {
        assertThatThrownBy(() -> reader.parse(YAML.replace("PRIORITY_CLASS_HIGH", "PRIORITY_CLASS_VIP"), "job.yaml"))
                .isInstanceOf(CliException.class).hasMessageContaining("PRIORITY_CLASS_VIP");
    }

    @Test
    void aWrongTypeIsAnError() {
        assertThatThrownBy(() -> reader.parse(YAML.replace("r: 8", "r: eight"), "job.yaml"))
                .isInstanceOf(CliException.class).hasMessageContaining("eight");
    }

    @Test
    void brokenYamlSaysWhere() {
        assertThatThrownBy(() -> reader.parse("jobId: a\nlora: {r: 8\n", "job.yaml"))
                .isInstanceOf(CliException.class).hasMessageContaining("not valid YAML").hasMessageContaining("line ");
    }

    @Test
    void jsonFilesAreReadAsStrictJson() {
        assertThatThrownBy(() -> reader.parse("jobId: a", "job.json"))
                .isInstanceOf(CliException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void anEmptyFileOrANonMappingIsAnError() {
        assertThatThrownBy(() -> reader.parse("", "job.yaml")).hasMessageContaining("it is empty");
        assertThatThrownBy(() -> reader.parse("- a\n- b\n", "job.yaml")).hasMessageContaining("not a list");
    }

    @Test
    void theExampleInTheReadmeIsAValidSpec() {
        // Tests run in the module's directory.
        JobSpec spec = reader.read("examples/job.yaml", null);

        assertThat(spec.getJobId()).isEqualTo("sentiment-r8-001");
        assertThat(spec.getLora().getTargetModulesList()).containsExactly("q_proj", "v_proj");
        assertThat(spec.getGatePolicy().getThresholdsCount()).isEqualTo(1);
        assertThat(spec.getPromoteToAlias()).isEqualTo("staging");
    }

    @Test
    void aMissingFileIsAUsageError() {
        assertThatThrownBy(() -> reader.read(dir.resolve("missing.yaml").toString(), null))
                .isInstanceOfSatisfying(CliException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE));
    }
}
