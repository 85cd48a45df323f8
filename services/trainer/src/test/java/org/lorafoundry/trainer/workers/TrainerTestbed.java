package org.lorafoundry.trainer.workers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.lorafoundry.platform.blob.BlobDirectories;
import org.lorafoundry.platform.blob.BlobRef;
import org.lorafoundry.platform.blob.FileBlobStore;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.CancelTraining;
import org.lorafoundry.proto.v1.DatasetFormat;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.DirectoryRef;
import org.lorafoundry.proto.v1.Hyperparameters;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.LoraConfig;
import org.lorafoundry.proto.v1.LrScheduler;
import org.lorafoundry.proto.v1.ResolvedBaseModel;
import org.lorafoundry.proto.v1.ResolvedDataset;
import org.lorafoundry.proto.v1.TrainingControl;
import org.lorafoundry.proto.v1.TrainingEvent;
import org.lorafoundry.proto.v1.TrainingTask;
import org.lorafoundry.proto.v1.TrainingTaskMessage;
import org.lorafoundry.testkit.ClasspathDirectories;
import org.lorafoundry.testkit.Database;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.KafkaTestClient;
import org.lorafoundry.testkit.ServiceProcess;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * What the worker tests share: the real broker and a fresh database, a blob store, a real base model (the engine's
 * committed tiny Llama fixture), a small prompt/completion dataset in the blob store, and trainer processes started
 * from the packaged jar. Tasks are published as the jobs service would publish them.
 */
final class TrainerTestbed {

    static final String TEAM = "demo";

    final FoundryInfrastructure infrastructure = FoundryInfrastructure.get();
    final KafkaTestClient kafka = new KafkaTestClient(infrastructure.kafkaBootstrapServers());
    final Database database = infrastructure.newDatabase("trainer_workers");
    final Path state;
    final Path blobRoot;
    final FileBlobStore blobs;
    final Path baseModel;
    final ResolvedBaseModel resolvedBaseModel;
    final BlobRef trainSplit;
    final List<ServiceProcess> workers = new ArrayList<>();

    TrainerTestbed() throws Exception {
        state = Files.createTempDirectory("foundry-trainer-it-");
        blobRoot = state.resolve("blobs");
        blobs = new FileBlobStore(blobRoot);
        baseModel = ClasspathDirectories.copy("fixtures/llama", state.resolve("models/tiny-llama"));
        DirectoryRef files = BlobDirectories.describe(baseModel);
        resolvedBaseModel = ResolvedBaseModel.newBuilder().setName("tiny-llama").setLocationUri(baseModel.toUri().toString())
                .setSha256(files.getManifestSha256()).setArchitecture("LlamaForCausalLM").setFiles(files).build();
        trainSplit = putText("datasets/demo/dates/1/train.jsonl", datesJsonl(48));
    }

    /** A worker process (the packaged trainer) sharing this testbed's Kafka, database and blob store. */
    ServiceProcess startWorker(String name, Map<String, String> extraEnvironment) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafkaBootstrapServers(),
                "FOUNDRY_DB_URL", database.jdbcUrl(),
                "FOUNDRY_DB_USER", database.user(),
                "FOUNDRY_DB_PASSWORD", database.password(),
                "FOUNDRY_BLOB_ROOT", blobRoot.toString(),
                "FOUNDRY_JWT_PUBLIC_KEY", state.resolve("keys/jwt-public.pem").toString(),
                "FOUNDRY_JWT_PRIVATE_KEY", state.resolve("keys/jwt-private.pem").toString(),
                "FOUNDRY_TRAINER_WORKER_ID", name,
                "FOUNDRY_TRAINER_WORK_DIR", state.resolve("work-" + name).toString(),
                "FOUNDRY_TRAINER_HEARTBEAT_INTERVAL", "1s"));
        env.put("FOUNDRY_TRAINER_LOCK_RENEW_INTERVAL", "2s");
        env.put("FOUNDRY_TRAINER_PROGRESS_INTERVAL", "0.2s");
        env.put("FOUNDRY_TRAINER_THREADS", "1");
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        env.putAll(extraEnvironment);
        Path logs = Path.of("target/worker-logs").toAbsolutePath();
        ServiceProcess worker = ServiceProcess.start("trainer", name, env, List.of("-Xmx384m"), logs,
                Duration.ofSeconds(180));
        workers.add(worker);
        return worker;
    }

    /**
     * Waits until the trainers' share group has this many members, each assigned the tasks topic's partitions. A
     * worker is ready (HTTP) before the group coordinator has given it an assignment; until then another worker may
     * take every task.
     */
    void awaitAssignedWorkers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no description";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                infrastructure.kafkaBootstrapServers()))) {
            while (System.nanoTime() < deadline) {
                ShareGroupDescription group = admin.describeShareGroups(List.of(Topics.TRAINER_SHARE_GROUP))
                        .describedGroups().get(Topics.TRAINER_SHARE_GROUP).get();
                long assigned = group.members().stream().filter(m -> m.assignment().topicPartitions().stream()
                        .anyMatch(tp -> tp.topic().equals(Topics.TRAINING_TASKS))).count();
                if (assigned >= count) {
                    return;
                }
                last = group.members().size() + " members, " + assigned + " assigned " + Topics.TRAINING_TASKS;
                Thread.sleep(250);
            }
        }
        throw new AssertionError("the share group " + Topics.TRAINER_SHARE_GROUP + " never had " + count
                + " assigned workers: " + last);
    }

    void stopAll() throws InterruptedException {
        for (ServiceProcess worker : workers) {
            worker.close();
        }
        workers.clear();
    }

    /** A task as the jobs service dispatches it: prompt/completion dates, LoRA r=4 on q/v, seed 7. */
    TrainingTask task(String jobId, Hyperparameters hyperparameters) {
        return task(jobId, hyperparameters, trainSplit);
    }

    TrainingTask task(String jobId, Hyperparameters hyperparameters, BlobRef train) {
        JobSpec spec = JobSpec.newBuilder().setJobId(jobId).setAdapterName("dates")
                .setLora(LoraConfig.newBuilder().setR(4).setLoraAlpha(8).setLoraDropout(0.1f)
                        .addTargetModules("q_proj").addTargetModules("v_proj"))
                .setHyperparameters(hyperparameters).build();
        ResolvedDataset dataset = ResolvedDataset.newBuilder().setDatasetId("demo/dates").setName("dates").setVersion(1)
                .setFormat(DatasetFormat.DATASET_FORMAT_PROMPT_COMPLETION)
                .setTrain(DatasetSplit.newBuilder().setName("train").setRowCount(48).setBlob(proto(train)))
                .setValidationFraction(0.125).build();
        return TrainingTask.newBuilder().setJobId(jobId).setTeam(TEAM).setSpec(spec).setBaseModel(resolvedBaseModel)
                .setDataset(dataset).setDispatchedAt(ProtoTimestamps.now()).setDispatchAttempt(1).build();
    }

    static Hyperparameters.Builder hyperparameters(long maxSteps) {
        return Hyperparameters.newBuilder().setMaxSteps(maxSteps).setPerDeviceBatchSize(4)
                .setGradientAccumulationSteps(1).setLearningRate(3e-3).setLrScheduler(LrScheduler.LR_SCHEDULER_COSINE)
                .setWarmupSteps(2).setWeightDecay(0.01).setMaxGradNorm(1.0).setMaxSeqLength(64).setSeed(7)
                .setEvalEverySteps(0).setCheckpointEverySteps(0);
    }

    void publish(TrainingTask task) {
        kafka.send(Topics.TRAINING_TASKS, task.getJobId(), TrainingTaskMessage.newBuilder()
                .setOccurredAt(ProtoTimestamps.now()).setTrainingTask(task).build().toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "TrainingTask"));
    }

    void cancel(String jobId) {
        kafka.send(Topics.TRAINING_CONTROL, jobId, TrainingControl.newBuilder().setOccurredAt(ProtoTimestamps.now())
                .setCancelTraining(CancelTraining.newBuilder().setJobId(jobId).setReason("test cancel")
                        .setActor("user:alice")).build().toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "CancelTraining"));
    }

    /** Waits for {@code count} events of a job matching {@code filter}; returns every event of the job read so far. */
    List<TrainingEvent> await(String jobId, java.util.function.Predicate<TrainingEvent> filter, int count,
            Duration timeout) {
        List<TrainingEvent> all = new ArrayList<>();
        kafka.await(Topics.TRAINING_EVENTS, record -> {
            if (!jobId.equals(record.key())) {
                return false;
            }
            TrainingEvent event = decode(record);
            all.add(event);
            return filter.test(event);
        }, count, timeout);
        return all;
    }

    /** Every event of a job now on the topic. */
    List<TrainingEvent> events(String jobId, Duration settle) {
        return kafka.readAll(Topics.TRAINING_EVENTS, record -> jobId.equals(record.key()), settle).stream()
                .map(TrainerTestbed::decode).toList();
    }

    BlobRef putText(String path, String text) throws IOException {
        return blobs.put(path, new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    static org.lorafoundry.proto.v1.BlobRef proto(BlobRef ref) {
        return org.lorafoundry.proto.v1.BlobRef.newBuilder().setUri(ref.uri().toString()).setSha256(ref.sha256())
                .setSizeBytes(ref.sizeBytes()).setMediaType("application/jsonl").build();
    }

    /** {@code {"prompt": "Date 1965-05-10 in words:", "completion": " May 10, 1965"}} rows, deterministic. */
    static String datesJsonl(int rows) {
        String[] months = {"January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December"};
        StringBuilder jsonl = new StringBuilder();
        java.util.Random random = new java.util.Random(11);
        for (int i = 0; i < rows; i++) {
            int year = 1950 + random.nextInt(70);
            int month = 1 + random.nextInt(12);
            int day = 1 + random.nextInt(28);
            jsonl.append(String.format("{\"prompt\": \"Date %d-%02d-%02d in words:\", \"completion\": \" %s %d, %d\"}%n",
                    year, month, day, months[month - 1], day, year));
        }
        return jsonl.toString();
    }

    private static TrainingEvent decode(ConsumerRecord<String, byte[]> record) {
        try {
            return TrainingEvent.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("undecodable training event at offset " + record.offset(), e);
        }
    }
}
