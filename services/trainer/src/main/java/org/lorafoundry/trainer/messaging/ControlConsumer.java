package org.lorafoundry.trainer.messaging;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.lorafoundry.proto.v1.CancelTraining;
import org.lorafoundry.proto.v1.TrainingControl;
import org.lorafoundry.trainer.service.RunningAttempts;

import com.google.protobuf.InvalidProtocolBufferException;

/**
 * {@code foundry.training.control}: every worker reads every CancelTraining (a consumer group per worker instance) and
 * stops its attempt when the job (and attempt, when given) is the one it runs. Cancels for jobs it does not run are
 * ignored: the jobs service re-sends a cancel to any attempt that starts while its job is being cancelled.
 */
@ApplicationScoped
public class ControlConsumer {

    private static final Logger LOG = Logger.getLogger(ControlConsumer.class);

    private final RunningAttempts running;

    ControlConsumer(RunningAttempts running) {
        this.running = running;
    }

    @Incoming("training-control")
    public void onControl(ConsumerRecord<String, byte[]> record) {
        decode(record).filter(TrainingControl::hasCancelTraining).map(TrainingControl::getCancelTraining)
                .ifPresent(this::cancel);
    }

    private void cancel(CancelTraining cancel) {
        String reason = cancel.getReason().isBlank() ? "cancelled" : cancel.getReason();
        if (!cancel.getActor().isBlank()) {
            reason = reason + " (by " + cancel.getActor() + ")";
        }
        if (running.cancel(cancel.getJobId(), cancel.getAttemptId(), reason)) {
            LOG.infof("cancelling job %s: %s", cancel.getJobId(), reason);
        }
    }

    private static Optional<TrainingControl> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return Optional.of(TrainingControl.parseFrom(record.value()));
        } catch (InvalidProtocolBufferException | NullPointerException e) {
            // Not ours to dead-letter: every worker reads this topic, so each would park a copy.
            LOG.warnf("undecodable record on %s/%d/%d ignored: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return Optional.empty();
        }
    }
}
