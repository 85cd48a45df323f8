package org.lorafoundry.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.google.protobuf.Timestamp;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.Baseline;
import org.lorafoundry.proto.v1.BaselineKind;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.CurvePoint;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationCompleted;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.Hyperparameters;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.LoraConfig;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.ThresholdKind;
import org.lorafoundry.proto.v1.ThresholdResult;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.platform.blob.DirectoryManifest;
import org.lorafoundry.testkit.KafkaTestClient;

/** Helpers of the registry ITs: adapter files in the blob store, EvaluationCompleted events, registry events. */
public final class RegistryTestSupport {

    public static final String BASE_MODEL = "tiny-llama";
    public static final String BASE_MODEL_SHA = "ab".repeat(32);

    private final KafkaTestClient kafka;

    public RegistryTestSupport(String bootstrapServers) {
        this.kafka = new KafkaTestClient(bootstrapServers);
    }

    public KafkaTestClient kafka() {
        return kafka;
    }

    public static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Writes a small PEFT directory (adapter_config.json + adapter_model.safetensors) where a trainer would. */
    public static DirectoryRef writeAdapter(BlobStore blobs, String jobId, int rank) throws IOException {
        byte[] config = ("{\"peft_type\": \"LORA\", \"task_type\": \"CAUSAL_LM\", \"r\": " + rank + ", \"lora_alpha\": "
                + (2 * rank) + ", \"target_modules\": [\"q_proj\", \"v_proj\"], \"base_model_name_or_path\": \""
                + BASE_MODEL + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] weights = new byte[4096 + rank];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (byte) (i * 31 + rank + jobId.hashCode());
        }
        return writeAdapter(blobs, jobId, Map.of("adapter_config.json", config, "adapter_model.safetensors", weights));
    }

    /** Writes these files (relative path to bytes) as the job's adapter directory where a trainer would. */
    public static DirectoryRef writeAdapter(BlobStore blobs, String jobId, Map<String, byte[]> contents)
            throws IOException {
        String prefix = "checkpoints/" + jobId + "/final/";
        List<BlobRef> files = new ArrayList<>();
        for (Map.Entry<String, byte[]> file : contents.entrySet()) {
            org.lorafoundry.platform.blob.BlobRef ref = blobs.put(prefix + file.getKey(),
                    new ByteArrayInputStream(file.getValue()));
            files.add(BlobRef.newBuilder().setUri(ref.uri().toString()).setSha256(ref.sha256())
                    .setSizeBytes(ref.sizeBytes()).setRelativePath(file.getKey()).build());
        }
        files.sort(Comparator.comparing(BlobRef::getRelativePath));
        String first = files.get(0).getUri();
        return DirectoryRef.newBuilder().setUri(first.substring(0, first.length() - files.get(0).getRelativePath().length()))
                .addAllFiles(files).setManifestSha256(DirectoryManifest.sha256(files))
                .setTotalSizeBytes(files.stream().mapToLong(BlobRef::getSizeBytes).sum()).build();
    }

    /** Options of an evaluated job. */
    public record Job(String team, String adapter, String jobId, Verdict verdict, double accuracy, int rank,
            String promoteToAlias, Map<String, String> labels, String description, DirectoryRef artifact) {
    }

    /** An EvaluationCompleted as the evaluator would publish it: the training outcome with its full task inside. */
    public static EvaluationCompleted completed(Job job) {
        LoraConfig lora = LoraConfig.newBuilder().setR(job.rank()).setLoraAlpha(2f * job.rank()).setLoraDropout(0.05f)
                .addTargetModules("q_proj").addTargetModules("v_proj").setTaskType("CAUSAL_LM").build();
        Hyperparameters hyperparameters = Hyperparameters.newBuilder().setMaxSteps(100).setLearningRate(2e-4)
                .setPerDeviceBatchSize(4).setSeed(42).build();
        JobSpec spec = JobSpec.newBuilder().setJobId(job.jobId()).setAdapterName(job.adapter())
                .setDescription(job.description()).setLora(lora).setHyperparameters(hyperparameters)
                .setPromoteToAlias(job.promoteToAlias() == null ? "" : job.promoteToAlias()).putAllLabels(job.labels())
                .setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("accuracy")
                        .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.8))))
                .build();
        ResolvedDataset dataset = ResolvedDataset.newBuilder().setDatasetId(job.team() + "/support@v2").setName("support")
                .setVersion(2).setTrain(DatasetSplit.newBuilder().setName("train").setRowCount(1000)
                        .setBlob(BlobRef.newBuilder().setUri("file:///blobs/datasets/support/train.jsonl")
                                .setSha256("cd".repeat(32)).setSizeBytes(60000)))
                .build();
        TrainingTask task = TrainingTask.newBuilder().setJobId(job.jobId()).setTeam(job.team()).setSpec(spec)
                .setBaseModel(ResolvedBaseModel.newBuilder().setName(BASE_MODEL).setSha256(BASE_MODEL_SHA)
                        .setArchitecture("LlamaForCausalLM").setLocationUri("file:///models/" + BASE_MODEL))
                .setDataset(dataset).setSubmittedAt(now()).build();
        TrainingSucceeded training = TrainingSucceeded.newBuilder().setJobId(job.jobId()).setAttemptId("attempt-1")
                .setTeam(job.team()).setTask(task).setAdapter(job.artifact())
                .putFinalMetrics("train_loss", 1.2 + job.rank() / 100.0).putFinalMetrics("validation_loss", 1.4)
                .addLossCurve(CurvePoint.newBuilder().setStep(1).setLoss(2.5))
                .addLossCurve(CurvePoint.newBuilder().setStep(50).setLoss(1.7).setValidationLoss(1.8))
                .addLossCurve(CurvePoint.newBuilder().setStep(100).setLoss(1.2 + job.rank() / 100.0).setValidationLoss(1.4))
                .setTrainableParameters(4096L * job.rank()).setTotalParameters(1_000_000).setSteps(100)
                .setWorkerId("worker-1").setDevice("cpu").setEngineVersion("test").build();
        boolean passed = job.verdict() == Verdict.VERDICT_PASSED;
        return EvaluationCompleted.newBuilder().setJobId(job.jobId()).setTeam(job.team()).setAdapterName(job.adapter())
                .setVerdict(job.verdict()).putCandidateMetrics("accuracy", job.accuracy())
                .putCandidateMetrics("validation_loss", 1.4).putBaselineMetrics("accuracy", 0.5)
                .setBaseline(Baseline.newBuilder().setKind(BaselineKind.BASELINE_KIND_BASE_MODEL)
                        .setBaseModelName(BASE_MODEL).setDescription("base model " + BASE_MODEL))
                .addThresholdResults(ThresholdResult.newBuilder().setMetricName("accuracy")
                        .setKind(ThresholdKind.THRESHOLD_KIND_VALUE).setCandidateValue(job.accuracy()).setPassed(passed)
                        .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.8))
                        .setMessage("accuracy " + job.accuracy() + (passed ? " >= 0.8: passed" : " < 0.8: failed")))
                .setTraining(training).setAttemptId("attempt-1").setExamplesEvaluated(200)
                .setSummary(passed ? "PASSED: 1 of 1 thresholds passed" : "FAILED: 1 of 1 thresholds failed (accuracy)")
                .build();
    }

    /** Publishes the event on foundry.evaluation.events, keyed by job id; returns the event id. */
    public String send(EvaluationCompleted completed) {
        return send(completed, UUID.randomUUID().toString());
    }

    public String send(EvaluationCompleted completed, String eventId) {
        kafka.send(Topics.EVALUATION_EVENTS, completed.getJobId(), EvaluationEvent.newBuilder().setOccurredAt(now())
                        .setEvaluationCompleted(completed).build().toByteArray(),
                Map.of(EventHeaders.EVENT_ID, eventId, EventHeaders.EVENT_TYPE, "EvaluationCompleted"));
        return eventId;
    }

    /** Waits for {@code count} registry events with this key matching {@code filter}. */
    public List<RegistryEvent> events(String key, Predicate<RegistryEvent> filter, int count, Duration timeout) {
        List<ConsumerRecord<String, byte[]>> records = kafka.await(Topics.REGISTRY_EVENTS,
                record -> key.equals(record.key()) && filter.test(parse(record)), count, timeout);
        assertThat(records).as("registry events of " + key).hasSizeGreaterThanOrEqualTo(count);
        return records.stream().map(RegistryTestSupport::parse).toList();
    }

    /** Every registry event with this key within {@code settle}. */
    public List<RegistryEvent> allEvents(String key, Duration settle) {
        return kafka.readAll(Topics.REGISTRY_EVENTS, record -> key.equals(record.key()), settle).stream()
                .map(RegistryTestSupport::parse).toList();
    }

    static RegistryEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return RegistryEvent.parseFrom(record.value());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }
}
