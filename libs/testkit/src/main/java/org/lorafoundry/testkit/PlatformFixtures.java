package org.lorafoundry.testkit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.protobuf.Timestamp;

import org.lorafoundry.proto.v1.BaseModelRegistered;
import org.lorafoundry.proto.v1.BlobRef;
import org.lorafoundry.proto.v1.DatasetEvent;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.ModelConfigSummary;
import org.lorafoundry.proto.v1.RegistryEvent;
import org.lorafoundry.proto.v1.WorkerEvent;
import org.lorafoundry.proto.v1.WorkerHeartbeat;

/**
 * Publishes the facts other services would announce (a registered base model, an ingested dataset, a worker's
 * heartbeat), as real records on the real topics, so a service under test can be driven before those services exist.
 */
public final class PlatformFixtures {

    /** The linear modules of a small Llama-shaped model (what the registry reads from its config). */
    public static final List<String> LLAMA_LINEAR_MODULES = List.of(
            "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.k_proj", "model.layers.0.self_attn.v_proj",
            "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.gate_proj", "model.layers.0.mlp.up_proj",
            "model.layers.0.mlp.down_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj");

    private final KafkaTestClient kafka;

    public PlatformFixtures(String bootstrapServers) {
        this.kafka = new KafkaTestClient(bootstrapServers);
    }

    /** Announces a base model with a Llama-shaped config of two layers; returns its checksum. */
    public String baseModel(String name) {
        String sha256 = sha(name);
        BaseModelRegistered registered = BaseModelRegistered.newBuilder().setName(name).setArchitecture("LlamaForCausalLM")
                .setLocationUri("file:///models/" + name).setSha256(sha256).setParameterCount(770_000)
                .setConfig(ModelConfigSummary.newBuilder().setModelType("llama").setNumHiddenLayers(2).setHiddenSize(128)
                        .setNumAttentionHeads(4).setNumKeyValueHeads(4).setVocabSize(1024).setMaxPositionEmbeddings(128)
                        .addAllLinearModuleNames(LLAMA_LINEAR_MODULES))
                .build();
        send("foundry.registry.events", "base-model:" + name, "BaseModelRegistered",
                RegistryEvent.newBuilder().setOccurredAt(now()).setBaseModelRegistered(registered).build().toByteArray());
        return sha256;
    }

    /** Announces version {@code version} of the team's dataset as ingested; returns its dataset id. */
    public String dataset(String team, String name, int version) {
        String datasetId = team + "/" + name + "@v" + version;
        DatasetIngested ingested = DatasetIngested.newBuilder().setDatasetId(datasetId).setTeam(team).setName(name)
                .setVersion(version).setFormat(DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION)
                .addSplits(split("train", team, name, version, 4000))
                .addSplits(split("validation", team, name, version, 200))
                .build();
        send("foundry.datasets.events", datasetId, "DatasetIngested",
                DatasetEvent.newBuilder().setOccurredAt(now()).setDatasetIngested(ingested).build().toByteArray());
        return datasetId;
    }

    /** A heartbeat of a worker with {@code capacity} slots. */
    public void heartbeat(String workerId, int capacity) {
        WorkerHeartbeat heartbeat = WorkerHeartbeat.newBuilder().setWorkerId(workerId).setDevice("cpu")
                .setCapacity(capacity).setFreeSlots(capacity).setEngineVersion("test").setHeartbeatIntervalMs(1000).build();
        send("foundry.workers.heartbeats", workerId, "WorkerHeartbeat",
                WorkerEvent.newBuilder().setOccurredAt(now()).setWorkerHeartbeat(heartbeat).build().toByteArray());
    }

    private static DatasetSplit split(String split, String team, String name, int version, long rows) {
        String path = "datasets/" + team + "/" + name + "/" + version + "/" + split + ".jsonl";
        return DatasetSplit.newBuilder().setName(split).setRowCount(rows)
                .setBlob(BlobRef.newBuilder().setUri("file:///blobs/" + path).setSha256(sha(path)).setSizeBytes(rows * 60))
                .build();
    }

    private void send(String topic, String key, String type, byte[] value) {
        kafka.send(topic, key, value, Map.of("foundry-event-id", UUID.randomUUID().toString(), "foundry-event-type", type));
    }

    private static Timestamp now() {
        Instant now = Instant.now();
        return Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
    }

    private static String sha(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
