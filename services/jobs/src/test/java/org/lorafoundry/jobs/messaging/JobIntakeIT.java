package org.lorafoundry.jobs.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lorafoundry.jobs.JobsTestSupport;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventHeaders;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.JobCommand;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.JobSpec;
import org.lorafoundry.proto.v1.SubmitTrainingJob;
import org.lorafoundry.proto.v1.JobState;
import org.lorafoundry.proto.v1.RejectionCode;
import org.lorafoundry.testkit.FoundryTestResource;
import org.lorafoundry.testkit.KafkaTestClient;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Job intake through a real Kafka broker into a real PostgreSQL, answered through the outbox. */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class JobIntakeIT {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;
    @Inject
    JobsTestSupport support;

    @BeforeEach
    void announceModelAndDataset() {
        support.facts("demo", "tiny-llama", "dates");
    }

    @Test
    void aValidSubmissionIsStoredQueuedAndAnswered() throws Exception {
        String jobId = "it-" + UUID.randomUUID();
        send(jobId, submit(jobId, spec -> { }), UUID.randomUUID().toString());

        List<JobEvent> events = eventsOf(jobId, 4);
        assertThat(events).extracting(JobEvent::getEventCase).containsExactly(JobEvent.EventCase.JOB_STATE_CHANGED,
                JobEvent.EventCase.JOB_STATE_CHANGED, JobEvent.EventCase.JOB_ACCEPTED, JobEvent.EventCase.JOB_STATE_CHANGED);
        assertThat(events.get(2).getJobAccepted().getTeam()).isEqualTo("demo");
        assertThat(events.get(2).getJobAccepted().getSpec().getDataset().getTrainSplit()).isEqualTo("train");
        assertThat(events.get(3).getJobStateChanged().getToState()).isEqualTo(JobState.JOB_STATE_QUEUED);
        assertThat(events.get(3).getJobStateChanged().getSequence()).isEqualTo(3);
    }

    @Test
    void anImpossibleSpecIsRejectedWithItsTypedCodeAndEveryViolation() throws Exception {
        String jobId = "it-bad-" + UUID.randomUUID();
        JobCommand command = submit(jobId, spec -> {
            spec.getLoraBuilder().setR(0);
            spec.getHyperparametersBuilder().setLearningRate(5.0);
        });
        send(jobId, command, UUID.randomUUID().toString());

        JobEvent event = eventsOf(jobId, 1).get(0);
        assertThat(event.getJobRejected().getCode()).isEqualTo(RejectionCode.REJECTION_CODE_INVALID_LORA_CONFIG);
        assertThat(event.getJobRejected().getViolationsList()).extracting(v -> v.getField())
                .containsExactly("spec.lora.r", "spec.hyperparameters.learning_rate");
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndAnsweredAndTheNextOneStillProcessed() throws Exception {
        String badKey = "it-garbage-" + UUID.randomUUID();
        new KafkaTestClient(bootstrapServers).send(Topics.jobCommands("demo"), badKey,
                new byte[] {(byte) 0xff, (byte) 0xff, 0x01}, Map.of(EventHeaders.EVENT_ID, UUID.randomUUID().toString()));
        String goodId = "it-after-" + UUID.randomUUID();
        send(goodId, submit(goodId, spec -> { }), UUID.randomUUID().toString());

        List<ConsumerRecord<String, byte[]>> letters = new KafkaTestClient(bootstrapServers)
                .await(Topics.DEAD_LETTERS, r -> badKey.equals(r.key()), 1, Duration.ofSeconds(30));
        assertThat(letters).hasSize(1);
        assertThat(KafkaTestClient.header(letters.get(0), DeadLetters.REASON)).startsWith("Not a foundry.v1.JobCommand");
        assertThat(eventsOf(badKey, 1).get(0).getJobRejected().getCode())
                .isEqualTo(RejectionCode.REJECTION_CODE_MALFORMED_COMMAND);
        assertThat(eventsOf(goodId, 4)).anyMatch(JobEvent::hasJobAccepted);
    }

    private static JobCommand submit(String jobId, java.util.function.Consumer<JobSpec.Builder> spoil) {
        JobSpec.Builder spec = JobsTestSupport.spec(jobId, "tiny-llama", "dates");
        spoil.accept(spec);
        return JobCommand.newBuilder().setSubmitTrainingJob(SubmitTrainingJob.newBuilder().setSpec(spec)).build();
    }

    private void send(String key, JobCommand command, String eventId) {
        new KafkaTestClient(bootstrapServers).send(Topics.jobCommands("demo"), key, command.toByteArray(),
                Map.of(EventHeaders.EVENT_ID, eventId, EventHeaders.EVENT_TYPE, "SubmitTrainingJob"));
    }

    private List<JobEvent> eventsOf(String jobId, int count) throws Exception {
        List<ConsumerRecord<String, byte[]>> records = new KafkaTestClient(bootstrapServers)
                .await(Topics.JOB_EVENTS, r -> jobId.equals(r.key()), count, Duration.ofSeconds(60));
        assertThat(records).as("events of " + jobId).hasSize(count);
        List<JobEvent> events = new java.util.ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            events.add(JobEvent.parseFrom(record.value()));
        }
        return events;
    }
}
