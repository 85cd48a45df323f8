package org.lorafoundry.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.GatePolicy;
import org.lorafoundry.proto.v1.JobCommand;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.MetricThreshold;
import org.lorafoundry.proto.v1.RejectionCode;
import org.lorafoundry.proto.v1.SubmitTrainingJob;
import org.lorafoundry.proto.v1.ValueThreshold;
import org.lorafoundry.testkit.Database;
import org.lorafoundry.testkit.FoundryInfrastructure;
import org.lorafoundry.testkit.KafkaTestClient;
import org.lorafoundry.testkit.PlatformFixtures;
import org.lorafoundry.testkit.ServiceProcess;

/**
 * The walking skeleton, black-box: the jobs service runs as its own process against a real broker and a real database;
 * a team submits with {@code kcat}, as a person would.
 */
class JobIntakeE2EIT {

    private static final String TEAM = "demo";
    private static final String BASE_MODEL = "foundry-tiny-llama";
    private static final String DATASET = "dates";

    private static ServiceProcess jobs;
    private static Database database;
    private static Kcat kcat;
    private static KafkaTestClient kafka;

    @BeforeAll
    static void startJobsService() throws Exception {
        FoundryInfrastructure infrastructure = FoundryInfrastructure.get();
        database = infrastructure.newDatabase("e2e");
        kcat = new Kcat(infrastructure.kafkaBootstrapServers());
        kafka = new KafkaTestClient(infrastructure.kafkaBootstrapServers());
        java.nio.file.Path state = java.nio.file.Files.createTempDirectory("foundry-e2e-");
        jobs = ServiceProcess.start("jobs", Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafkaBootstrapServers(),
                "FOUNDRY_DB_URL", database.jdbcUrl(),
                "FOUNDRY_DB_USER", database.user(),
                "FOUNDRY_DB_PASSWORD", database.password(),
                "FOUNDRY_BLOB_ROOT", state.resolve("blobs").toString(),
                "FOUNDRY_JWT_PUBLIC_KEY", state.resolve("keys/jwt-public.pem").toString(),
                "FOUNDRY_JWT_PRIVATE_KEY", state.resolve("keys/jwt-private.pem").toString(),
                "FOUNDRY_TEAMS", TEAM), logDir(), Duration.ofSeconds(120));
        // What the registry and the datasets service would have announced before anyone submits.
        PlatformFixtures fixtures = new PlatformFixtures(infrastructure.kafkaBootstrapServers());
        fixtures.baseModel(BASE_MODEL);
        fixtures.dataset(TEAM, DATASET, 1);
        // The jobs service learns them from those events a moment later; a job submitted before would be refused as
        // UNKNOWN_DATASET, which is not what these tests are about.
        database.awaitRow(Duration.ofSeconds(60), "select count(*) from jobs.base_models where name = ?",
                BASE_MODEL);
        database.awaitRow(Duration.ofSeconds(60),
                "select count(*) from jobs.dataset_versions where team = ? and name = ?", TEAM, DATASET);
    }

    @AfterAll
    static void stopJobsService() throws Exception {
        if (jobs != null) {
            jobs.close();
        }
    }

    @Test
    void aJobSubmittedWithKcatIsAcceptedAndQueued() throws Exception {
        String jobId = "e2e-" + UUID.randomUUID();
        kcat.produce(Topics.jobCommands(TEAM), jobId, submit(jobId).toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString(), EventHeaders.EVENT_TYPE, "SubmitTrainingJob"));

        List<JobEvent> events = eventsOf(jobId, 4);
        JobEvent accepted = events.stream().filter(JobEvent::hasJobAccepted).findFirst().orElseThrow();
        assertThat(accepted.getJobAccepted().getTeam()).isEqualTo(TEAM);
        assertThat(accepted.getJobAccepted().getDuplicate()).isFalse();
        assertThat(events.get(events.size() - 1).getJobStateChanged().getToState()).isEqualTo(JobState.JOB_STATE_QUEUED);
        assertThat(storedJobs(jobId)).isEqualTo(1);
    }

    @Test
    void aMalformedRecordGoesToTheDeadLetterTopicAndTheNextGoodOneIsStillProcessed() throws Exception {
        String garbageKey = "e2e-garbage-" + UUID.randomUUID();
        kcat.produce(Topics.jobCommands(TEAM), garbageKey, "this is not protobuf\n{\"spec\":1}".getBytes(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));
        String goodId = "e2e-good-" + UUID.randomUUID();
        kcat.produce(Topics.jobCommands(TEAM), goodId, submit(goodId).toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));

        List<ConsumerRecord<String, byte[]>> letters = kafka.await(Topics.DEAD_LETTERS,
                record -> garbageKey.equals(record.key()), 1, Duration.ofSeconds(60));
        assertThat(letters).hasSize(1);
        assertThat(KafkaTestClient.header(letters.get(0), DeadLetters.REASON)).contains("Not a foundry.v1.JobCommand");
        assertThat(KafkaTestClient.header(letters.get(0), DeadLetters.ORIGINAL_TOPIC)).isEqualTo(Topics.jobCommands(TEAM));
        assertThat(new String(letters.get(0).value())).startsWith("this is not protobuf");
        assertThat(eventsOf(garbageKey, 1).get(0).getJobRejected().getCode())
                .isEqualTo(RejectionCode.REJECTION_CODE_MALFORMED_COMMAND);
        assertThat(eventsOf(goodId, 4)).anyMatch(JobEvent::hasJobAccepted);
        assertThat(storedJobs(goodId)).isEqualTo(1);
    }

    @Test
    void aDuplicateDeliveryCreatesOneJob() throws Exception {
        String jobId = "e2e-dup-" + UUID.randomUUID();
        String eventId = UUID.randomUUID().toString();
        byte[] command = submit(jobId).toByteArray();
        // The same record twice (a producer retry, a replay): same event id.
        kcat.produce(Topics.jobCommands(TEAM), jobId, command, Map.of(EventHeaders.EVENT_ID, eventId));
        kcat.produce(Topics.jobCommands(TEAM), jobId, command, Map.of(EventHeaders.EVENT_ID, eventId));
        // The same job resubmitted by a person: new event id, identical spec.
        kcat.produce(Topics.jobCommands(TEAM), jobId, command, Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));

        eventsOf(jobId, 5); // 3 transitions, the acceptance and the duplicate acknowledgement
        // Then give a wrongly applied redelivery time to show up before counting.
        List<Boolean> acceptances = decode(kafka.readAll(Topics.JOB_EVENTS, r -> jobId.equals(r.key()), Duration.ofSeconds(5)))
                .stream().filter(JobEvent::hasJobAccepted).map(e -> e.getJobAccepted().getDuplicate()).toList();
        assertThat(acceptances).as("one acceptance, one duplicate acknowledgement, nothing for the redelivery")
                .containsExactly(false, true);
        assertThat(storedJobs(jobId)).isEqualTo(1);
    }

    @Test
    void aConflictingSpecUnderAnExistingIdIsRejected() throws Exception {
        String jobId = "e2e-conflict-" + UUID.randomUUID();
        kcat.produce(Topics.jobCommands(TEAM), jobId, submit(jobId).toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));
        JobCommand different = JobCommand.newBuilder().setSubmitTrainingJob(SubmitTrainingJob.newBuilder()
                .setSpec(spec(jobId).setDisplayName("something else"))).build();
        kcat.produce(Topics.jobCommands(TEAM), jobId, different.toByteArray(),
                Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));

        List<JobEvent> events = eventsOf(jobId, 5);
        assertThat(events).filteredOn(JobEvent::hasJobRejected).singleElement()
                .satisfies(e -> assertThat(e.getJobRejected().getCode())
                        .isEqualTo(RejectionCode.REJECTION_CODE_DUPLICATE_JOB_ID_CONFLICT));
        assertThat(storedJobs(jobId)).isEqualTo(1);
    }

    private static JobSpec.Builder spec(String jobId) {
        JobSpec.Builder spec = JobSpec.newBuilder().setJobId(jobId).setDisplayName("Dates in words");
        spec.getBaseModelBuilder().setName(BASE_MODEL);
        spec.getDatasetBuilder().setName(DATASET);
        spec.getLoraBuilder().setR(8).setLoraAlpha(16);
        spec.setGatePolicy(GatePolicy.newBuilder().addThresholds(MetricThreshold.newBuilder().setMetricName("exact_match")
                .setValueThreshold(ValueThreshold.newBuilder().setLowerBound(0.9))));
        return spec;
    }

    private static JobCommand submit(String jobId) {
        return JobCommand.newBuilder().setSubmitTrainingJob(SubmitTrainingJob.newBuilder().setSpec(spec(jobId))).build();
    }

    private static List<JobEvent> eventsOf(String jobId, int count) {
        List<ConsumerRecord<String, byte[]>> records = kafka.await(Topics.JOB_EVENTS, r -> jobId.equals(r.key()), count,
                Duration.ofSeconds(60));
        assertThat(records).as("events of " + jobId).hasSizeGreaterThanOrEqualTo(count);
        return decode(records);
    }

    private static List<JobEvent> decode(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(JobIntakeE2EIT::decode).toList();
    }

    private static JobEvent decode(ConsumerRecord<String, byte[]> record) {
        try {
            return JobEvent.parseFrom(record.value());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("jobs published an undecodable event", e);
        }
    }

    private static long storedJobs(String jobId) throws Exception {
        try (Connection connection = database.connect();
             PreparedStatement select = connection.prepareStatement("select count(*) from jobs.jobs where job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static java.nio.file.Path logDir() {
        return java.nio.file.Path.of(System.getProperty("foundry.root", "..")).toAbsolutePath().normalize()
                .resolve("e2e-tests/target/e2e-logs");
    }
}
