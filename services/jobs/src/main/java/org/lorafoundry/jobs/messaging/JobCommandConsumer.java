package org.lorafoundry.jobs.messaging;

import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.smallrye.common.annotation.Blocking;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.lorafoundry.jobs.service.JobIntakeService;
import org.lorafoundry.platform.messaging.DeadLetters;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.JobCommand;

/**
 * Consumes every team's {@code foundry.jobs.commands.<team>} topic. The team is the topic's, never the payload's.
 *
 * <p>A record that cannot be decoded goes to the dead-letter topic with the reason, its sender gets a JobRejected, and
 * the consumer moves on. Any other failure (the database is down) is retried with back-off on the same record, so
 * nothing accepted is lost or reordered; the offset is committed only after the method returns.
 */
@ApplicationScoped
public class JobCommandConsumer {

    static final String CONSUMER = "jobs.commands";

    private final JobIntakeService intake;
    private final DeadLetters deadLetters;

    JobCommandConsumer(JobIntakeService intake, Producer<String, byte[]> producer) {
        this.intake = intake;
        this.deadLetters = new DeadLetters(producer, CONSUMER);
    }

    @Incoming("job-commands")
    @Blocking
    @Retry(maxRetries = 200, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 30, durationUnit = ChronoUnit.MINUTES,
            jitter = 200)
    public void onCommand(ConsumerRecord<String, byte[]> record) throws SQLException {
        Optional<String> team = Topics.teamOf(Topics.JOB_COMMANDS_PREFIX, record.topic());
        if (team.isEmpty()) {
            deadLetters.publish(record, "Topic " + record.topic() + " is not a team command topic "
                    + "(foundry.jobs.commands.<team>, team = a-z, 0-9, '-')", null);
            return;
        }
        EventMetadata metadata = EventMetadata.of(record, "unknown");
        JobCommand command;
        try {
            command = JobCommand.parseFrom(record.value() == null ? new byte[0] : record.value());
        } catch (InvalidProtocolBufferException e) {
            String reason = "Not a foundry.v1.JobCommand: " + e.getMessage();
            deadLetters.publish(record, reason, e);
            intake.malformed(team.get(), record.key(), metadata, reason);
            return;
        }
        switch (command.getCommandCase()) {
            case SUBMIT_TRAINING_JOB -> intake.submit(team.get(), command.getSubmitTrainingJob().getSpec(), record.key(),
                    withType(metadata, "SubmitTrainingJob"), "team:" + team.get());
            case CANCEL_JOB -> intake.cancel(team.get(), command.getCancelJob().getJobId(),
                    command.getCancelJob().getReason(), withType(metadata, "CancelJob"), "team:" + team.get());
            default -> {
                String reason = "JobCommand carries no command (set submit_training_job or cancel_job)";
                deadLetters.publish(record, reason, null);
                intake.malformed(team.get(), record.key(), metadata, reason);
            }
        }
    }

    /** The payload, not a header a hand-held client may have forgotten, says what the command is. */
    private static EventMetadata withType(EventMetadata metadata, String type) {
        return new EventMetadata(metadata.eventId(), type, metadata.traceparent());
    }
}
