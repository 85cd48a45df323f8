package org.lorafoundry.trainer.messaging;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;
import org.lorafoundry.platform.messaging.EventMetadata;
import org.lorafoundry.platform.messaging.ProtoTimestamps;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.proto.v1.WorkerEvent;
import org.lorafoundry.proto.v1.WorkerHeartbeat;
import org.lorafoundry.trainer.config.TrainerConfig;
import org.lorafoundry.trainer.service.RunningAttempt;
import org.lorafoundry.trainer.service.RunningAttempts;
import org.lorafoundry.trainer.service.TrainingDevice;
import org.lorafoundry.trainer.service.WorkerIdentity;

/**
 * Announces the worker on the compacted {@code foundry.workers.heartbeats} (key = worker id) every
 * {@code heartbeat-interval}: device, one slot, free or busy, the job it runs. A heartbeat is a fact about now, not
 * state to keep, so it goes straight to Kafka rather than through the outbox. The last one, at shutdown, says
 * capacity 0 so the scheduler stops counting this worker at once.
 */
@ApplicationScoped
public class HeartbeatPublisher {

    private static final Logger LOG = Logger.getLogger(HeartbeatPublisher.class);

    private final Producer<String, byte[]> producer;
    private final TrainerConfig config;
    private final WorkerIdentity identity;
    private final RunningAttempts running;
    private final TrainingDevice device;
    private ScheduledExecutorService timer;

    HeartbeatPublisher(Producer<String, byte[]> producer, TrainerConfig config, WorkerIdentity identity,
            RunningAttempts running, TrainingDevice device) {
        this.producer = producer;
        this.config = config;
        this.identity = identity;
        this.running = running;
        this.device = device;
    }

    void onStart(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "trainer-heartbeat"));
        long interval = config.heartbeatInterval().toMillis();
        timer.scheduleAtFixedRate(() -> publish(false), 0, interval, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (timer != null) {
            timer.shutdownNow();
            timer.awaitTermination(2, TimeUnit.SECONDS);
            publish(true);
            producer.flush();
        }
    }

    /** Sends a heartbeat now (also on every job start and end, so the scheduler sees the slot change at once). */
    public void publish(boolean stopping) {
        try {
            WorkerHeartbeat heartbeat = heartbeat(stopping);
            WorkerEvent event = WorkerEvent.newBuilder().setOccurredAt(ProtoTimestamps.now())
                    .setWorkerHeartbeat(heartbeat).build();
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.WORKER_HEARTBEATS,
                    identity.workerId(), event.toByteArray());
            EventMetadata.newEvent("WorkerHeartbeat").writeTo(record.headers());
            producer.send(record, (metadata, error) -> {
                if (error != null) {
                    LOG.warnf("heartbeat not sent: %s", error.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("heartbeat not sent: %s", e.toString());
        }
    }

    WorkerHeartbeat heartbeat(boolean stopping) {
        int capacity = stopping || !config.enabled() ? 0 : 1;
        WorkerHeartbeat.Builder heartbeat = WorkerHeartbeat.newBuilder()
                .setWorkerId(identity.workerId())
                .setHost(identity.host())
                .setDevice(device.description())
                .setDeviceMemoryBytes(device.memoryBytes())
                .setEngineVersion(device.engineVersion())
                .setStartedAt(ProtoTimestamps.of(identity.startedAt()))
                .setHeartbeatIntervalMs(config.heartbeatInterval().toMillis())
                .setCapacity(capacity)
                .setDraining(stopping);
        RunningAttempt attempt = running.current().orElse(null);
        if (attempt != null) {
            heartbeat.setCurrentJobId(attempt.jobId()).setCurrentAttemptId(attempt.attemptId())
                    .addRunningJobIds(attempt.jobId());
        }
        int free = attempt == null ? capacity : 0;
        return heartbeat.setFreeSlots(free).setBusy(free == 0).build();
    }
}
