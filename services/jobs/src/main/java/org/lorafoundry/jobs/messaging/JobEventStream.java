package org.lorafoundry.jobs.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.lorafoundry.proto.v1.JobEvent;
import org.lorafoundry.proto.v1.TrainingEvent;

/**
 * Live events of jobs for the API's Server-Sent Events: every replica of jobs reads {@code foundry.jobs.events} and
 * {@code foundry.training.events} from "now" in a group of its own, so a watcher connected to any replica sees every
 * state change and progress report, whichever replica or worker caused it.
 */
@ApplicationScoped
public class JobEventStream {

    private final BroadcastProcessor<JobStreamEvent> broadcast = BroadcastProcessor.create();

    /** One event of a job's live stream: {@code state}, {@code accepted}, {@code rejected} or {@code progress}. */
    public record JobStreamEvent(String jobId, String type, com.google.protobuf.Message payload) {
    }

    @Incoming("job-events-stream")
    public void onJobEvent(ConsumerRecord<String, byte[]> record) {
        try {
            JobEvent event = JobEvent.parseFrom(record.value());
            switch (event.getEventCase()) {
                case JOB_STATE_CHANGED -> emit(event.getJobStateChanged().getJobId(), "state", event.getJobStateChanged());
                case JOB_ACCEPTED -> emit(event.getJobAccepted().getJobId(), "accepted", event.getJobAccepted());
                case JOB_REJECTED -> emit(event.getJobRejected().getJobId(), "rejected", event.getJobRejected());
                default -> {
                    // nothing a watcher needs
                }
            }
        } catch (InvalidProtocolBufferException e) {
            // jobs' own topic: the consumers that act on it dead-letter bad records; a watcher just skips them
        }
    }

    @Incoming("progress-stream")
    public void onTrainingEvent(ConsumerRecord<String, byte[]> record) {
        try {
            TrainingEvent event = TrainingEvent.parseFrom(record.value());
            if (event.hasTrainingProgress()) {
                emit(event.getTrainingProgress().getJobId(), "progress", event.getTrainingProgress());
            }
        } catch (InvalidProtocolBufferException e) {
            // see onJobEvent
        }
    }

    public Multi<JobStreamEvent> forJob(String jobId) {
        return broadcast.filter(event -> event.jobId().equals(jobId));
    }

    private void emit(String jobId, String type, com.google.protobuf.Message payload) {
        broadcast.onNext(new JobStreamEvent(jobId, type, payload));
    }
}
