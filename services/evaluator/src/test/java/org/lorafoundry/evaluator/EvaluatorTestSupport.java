package org.lorafoundry.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.platform.blob.BlobStore;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.AdapterVersionRegistered;
import org.lorafoundry.proto.v1.AliasChanged;
import org.lorafoundry.proto.v1.AliasTarget;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.EvaluationEvent;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.TrainingSucceeded;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.Verdict;
import org.lorafoundry.testkit.KafkaTestClient;

/**
 * What the evaluator's ITs need from the rest of the platform, for real: model, adapter and dataset files written to
 * the test blob store with their true checksums, TrainingSucceeded and registry events on the real topics, and the
 * evaluation events read back.
 */
public final class EvaluatorTestSupport {

    /** Six prompt/completion rows of the date task. */
    public static final List<Map<String, String>> DATE_ROWS = List.of(
            Map.of("prompt", "Date 1965-05-10 in words:", "completion", " May 10, 1965"),
            Map.of("prompt", "Date 2001-03-04 in words:", "completion", " March 4, 2001"),
            Map.of("prompt", "Date 1999-12-31 in words:", "completion", " December 31, 1999"),
            Map.of("prompt", "Date 1987-07-01 in words:", "completion", " July 1, 1987"),
            Map.of("prompt", "Date 2010-10-10 in words:", "completion", " October 10, 2010"),
            Map.of("prompt", "Date 1970-01-20 in words:", "completion", " January 20, 1970"));

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlobStore blobs;
    private final BlobDirectories directories;
    private final KafkaTestClient kafka;

    public EvaluatorTestSupport(BlobStore blobs, String bootstrapServers) {
        this.blobs = blobs;
        this.directories = new BlobDirectories(blobs);
        this.kafka = new KafkaTestClient(bootstrapServers);
    }

    public KafkaTestClient kafka() {
        return kafka;
    }

    public static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A base model directory in the blob store; its scripted metrics are the base model's own. */
    public ResolvedBaseModel baseModel(String name, Map<String, Double> metrics) throws IOException {
        DirectoryRef files = upload("models/" + name, Map.of(
                "config.json", "{\"model_type\": \"llama\", \"num_hidden_layers\": 2}",
                "model.safetensors", "weights of " + name,
                ScriptedModelEvaluator.SCRIPT, JSON.writeValueAsString(metrics)));
        return ResolvedBaseModel.newBuilder().setName(name).setLocationUri(files.getUri())
                .setSha256(files.getManifestSha256()).setArchitecture("LlamaForCausalLM").setFiles(files).build();
    }

    /** A PEFT adapter directory as a trainer writes it; {@code job} names the evaluation in the scripted evaluator. */
    public DirectoryRef adapter(String prefix, String job, Map<String, Double> metrics) throws IOException {
        Map<String, Object> script = new java.util.HashMap<>(metrics);
        script.put("job", job);
        return upload(prefix, Map.of(
                "adapter_config.json", "{\"peft_type\": \"LORA\", \"r\": 8, \"lora_alpha\": 16}",
                "adapter_model.safetensors", "lora_A and lora_B of " + prefix,
                ScriptedModelEvaluator.SCRIPT, JSON.writeValueAsString(script)));
    }

    /** A dataset version with a validation split of {@code rows} (prompt/completion). */
    public ResolvedDataset dataset(String team, String name, List<Map<String, String>> rows) throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (Map<String, String> row : rows) {
            jsonl.append(JSON.writeValueAsString(row)).append('\n');
        }
        org.lorafoundry.platform.blob.BlobRef stored = blobs.put("datasets/" + team + "/" + name + "/1/validation.jsonl",
                new ByteArrayInputStream(jsonl.toString().getBytes(StandardCharsets.UTF_8)));
        return ResolvedDataset.newBuilder().setDatasetId(team + "/" + name + "@v1").setName(name).setVersion(1)
                .setFormat(DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION)
                .setValidation(DatasetSplit.newBuilder().setName("validation").setRowCount(rows.size())
                        .setBlob(BlobRef.newBuilder().setUri(stored.uri().toString()).setSha256(stored.sha256())
                                .setSizeBytes(stored.sizeBytes())))
                .build();
    }

    /**
     * A TrainingSucceeded as a trainer publishes it, with the whole task.
     *
     * @param policy the job's gate policy; null = the spec has none (the team default applies)
     */
    public static TrainingSucceeded training(String team, String jobId, String adapterName, ResolvedBaseModel baseModel,
            ResolvedDataset dataset, DirectoryRef adapter, GatePolicy policy) {
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId(jobId).setAdapterName(adapterName);
        spec.getBaseModelBuilder().setName(baseModel.getName()).setSha256(baseModel.getSha256());
        spec.getDatasetBuilder().setDatasetId(dataset.getDatasetId());
        spec.getHyperparametersBuilder().setSeed(7).setMaxSteps(10);
        if (policy != null) {
            spec.setGatePolicy(policy);
        }
        TrainingTask task = TrainingTask.newBuilder().setJobId(jobId).setTeam(team).setSpec(spec).setBaseModel(baseModel)
                .setDataset(dataset).setSubmittedAt(now()).setDispatchAttempt(1).build();
        return TrainingSucceeded.newBuilder().setJobId(jobId).setAttemptId(UUID.randomUUID().toString()).setTeam(team)
                .setTask(task).setAdapter(adapter).putFinalMetrics("train_loss", 0.5).setSteps(10).setAttempt(1)
                .setWorkerId("worker-1").setDevice("cpu").setEngineVersion("test").build();
    }

    /** Publishes a TrainingSucceeded on foundry.training.events; returns its event id. */
    public String send(TrainingSucceeded succeeded) {
        return send(succeeded, UUID.randomUUID().toString());
    }

    public String send(TrainingSucceeded succeeded, String eventId) {
        kafka.send(Topics.TRAINING_EVENTS, succeeded.getJobId(), TrainingEvent.newBuilder().setOccurredAt(now())
                        .setTrainingSucceeded(succeeded).build().toByteArray(),
                Map.of(EventHeaders.EVENT_ID, eventId, EventHeaders.EVENT_TYPE, "TrainingSucceeded"));
        return eventId;
    }

    /** The registry announces version {@code version} of team/name holding {@code alias}. */
    public void versionRegistered(String team, String name, int version, AliasTarget... aliases) {
        registryEvent(team, name, "AdapterVersionRegistered", RegistryEvent.newBuilder()
                .setAdapterVersionRegistered(AdapterVersionRegistered.newBuilder().setTeam(team).setAdapterName(name)
                        .setVersion(version).setVerdict(Verdict.VERDICT_PASSED).setLatestVersion(version)
                        .addAllAliases(List.of(aliases))));
    }

    /** The registry announces an alias change, with the resulting alias table. */
    public void aliasChanged(String team, String name, String alias, AliasTarget... table) {
        registryEvent(team, name, "AliasChanged", RegistryEvent.newBuilder().setAliasChanged(AliasChanged.newBuilder()
                .setTeam(team).setAdapterName(name).setAlias(alias).setActor("user:ann").addAllAliases(List.of(table))));
    }

    public static AliasTarget aliasTarget(String alias, int version, DirectoryRef artifact, ResolvedBaseModel base) {
        return AliasTarget.newBuilder().setAlias(alias).setVersion(version).setVerdict(Verdict.VERDICT_PASSED)
                .setArtifact(artifact).setBaseModelName(base.getName()).setBaseModelSha256(base.getSha256()).build();
    }

    /** Waits for {@code count} evaluation events of the job. */
    public List<EvaluationEvent> events(String jobId, int count, Duration timeout) {
        List<EvaluationEvent> events = kafka.await(Topics.EVALUATION_EVENTS, record -> jobId.equals(record.key()), count,
                timeout).stream().map(EvaluatorTestSupport::parse).toList();
        assertThat(events).as("evaluation events of " + jobId).hasSizeGreaterThanOrEqualTo(count);
        return events;
    }

    /** Every evaluation event of the job within {@code settle}. */
    public List<EvaluationEvent> allEvents(String jobId, Duration settle) {
        return kafka.readAll(Topics.EVALUATION_EVENTS, record -> jobId.equals(record.key()), settle).stream()
                .map(EvaluatorTestSupport::parse).toList();
    }

    /** Reads a blob through the store, which verifies its size and checksum against the reference. */
    public byte[] read(BlobRef ref) throws IOException {
        try (InputStream in = blobs.open(new org.lorafoundry.platform.blob.BlobRef(URI.create(ref.getUri()),
                ref.getSha256(), ref.getSizeBytes()))) {
            return in.readAllBytes();
        }
    }

    /** Replaces the bytes of one stored file (simulating corruption at rest). */
    public void corrupt(DirectoryRef directory, String relativePath) throws IOException {
        BlobRef file = directory.getFilesList().stream().filter(f -> f.getRelativePath().equals(relativePath))
                .findFirst().orElseThrow();
        Path path = Path.of(URI.create(file.getUri()));
        Files.writeString(path, "tampered bytes of the same file");
    }

    private void registryEvent(String team, String name, String type, RegistryEvent.Builder event) {
        kafka.send(Topics.REGISTRY_EVENTS, team + "/" + name, event.setOccurredAt(now()).build().toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, type));
    }

    private DirectoryRef upload(String prefix, Map<String, String> files) throws IOException {
        Path local = Files.createTempDirectory("evaluator-fixture-");
        try {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(local.resolve(file.getKey()), file.getValue());
            }
            return directories.upload(local, prefix);
        } finally {
            BlobDirectories.deleteRecursively(local);
        }
    }

    static EvaluationEvent parse(ConsumerRecord<String, byte[]> record) {
        try {
            return EvaluationEvent.parseFrom(record.value());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }
}
