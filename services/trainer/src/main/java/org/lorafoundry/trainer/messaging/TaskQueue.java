package org.lorafoundry.trainer.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.lorafoundry.platform.messaging.Topics;
import org.lorafoundry.trainer.config.TrainerConfig;
import org.lorafoundry.trainer.service.AttemptOutcome;
import org.lorafoundry.trainer.service.StopSignal;
import org.lorafoundry.trainer.service.WorkerIdentity;

/**
 * The worker's end of the task queue: {@code foundry.training.tasks} consumed as the share group
 * {@code foundry-trainers} (KIP-932), one task at a time, acknowledged explicitly.
 *
 * <p>One thread owns the {@link KafkaShareConsumer} (the client is not thread-safe); the task runs on another. While it
 * runs, this thread renews the acquisition lock every {@code lock-renew-interval} (RENEW, commitSync, then a short poll
 * that hands the same record back, as RECIPES.md prescribes). A failed renewal means the lock is lost: the attempt is
 * told to stop and nothing is acknowledged. When the attempt ends, its {@link AttemptOutcome} becomes ACCEPT, REJECT or
 * RELEASE. A worker that dies simply stops renewing; the lock expires and another worker gets the task.
 */
@ApplicationScoped
public class TaskQueue {

    private static final Logger LOG = Logger.getLogger(TaskQueue.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration RENEW_POLL = Duration.ofMillis(50);

    /** Lifecycle of the queue thread. */
    enum State { STOPPED, IDLE, HOLDING, STOPPING }

    private final TrainerConfig config;
    private final TaskHandler handler;
    private final WorkerIdentity identity;
    private final String bootstrapServers;

    private volatile State state = State.STOPPED;
    private volatile StopSignal current;
    private KafkaShareConsumer<String, byte[]> consumer;
    private Thread thread;
    private ExecutorService attempts;

    TaskQueue(TrainerConfig config, TaskHandler handler, WorkerIdentity identity,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.handler = handler;
        this.identity = identity;
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("foundry.trainer.enabled=false: this worker takes no tasks");
            return;
        }
        consumer = new KafkaShareConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, Topics.TRAINER_SHARE_GROUP,
                ConsumerConfig.CLIENT_ID_CONFIG, "trainer-" + identity.workerId(),
                "share.acknowledgement.mode", "explicit",
                // One record per poll needs both settings (the default acquire mode hands out batches).
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
                "share.acquire.mode", "record_limit"), new StringDeserializer(), new ByteArrayDeserializer());
        attempts = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "trainer-attempt"));
        state = State.IDLE;
        thread = new Thread(this::run, "trainer-task-queue");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (thread == null) {
            return;
        }
        state = State.STOPPING;
        StopSignal running = current;
        if (running != null) {
            running.stop(StopSignal.Kind.SHUTDOWN, "worker " + identity.workerId() + " is shutting down");
        }
        consumer.wakeup();
        thread.join(config.shutdownGrace().plusSeconds(5).toMillis());
        attempts.shutdownNow();
    }

    /** Whether the queue thread is taking or holding tasks. */
    public boolean running() {
        return state == State.IDLE || state == State.HOLDING;
    }

    /** Whether the worker is holding a task now. */
    public boolean busy() {
        return state == State.HOLDING;
    }

    private void run() {
        consumer.subscribe(List.of(Topics.TRAINING_TASKS));
        try {
            while (state != State.STOPPING) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(IDLE_POLL);
                } catch (WakeupException e) {
                    continue; // shutting down: the loop condition ends it
                }
                for (ConsumerRecord<String, byte[]> record : records) {
                    hold(record);
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "task queue stopped by an unexpected error; the worker takes no more tasks");
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf(e, "closing the share consumer");
            }
            state = State.STOPPED;
        }
    }

    /** Runs one task to its end while keeping its lock, then acknowledges it according to the outcome. */
    private void hold(ConsumerRecord<String, byte[]> record) {
        if (state == State.STOPPING) {
            acknowledge(record, AcknowledgeType.RELEASE);
            return;
        }
        StopSignal stop = new StopSignal();
        current = stop;
        state = State.HOLDING;
        TaskDelivery delivery = new TaskDelivery(record);
        LOG.infof("took task %s (delivery %d, %s)", delivery.key(), delivery.deliveryCount(), delivery.coordinates());
        Future<AttemptOutcome> attempt = attempts.submit(() -> handler.handle(delivery, stop));
        AttemptOutcome outcome = awaitWhileRenewing(record, attempt, stop);
        switch (outcome) {
            case FINISHED -> acknowledge(record, AcknowledgeType.ACCEPT);
            case REJECTED -> acknowledge(record, AcknowledgeType.REJECT);
            case RELEASED -> acknowledge(record, AcknowledgeType.RELEASE);
            case LOCK_LOST -> LOG.warnf("lock of task %s was lost: acknowledging nothing", delivery.key());
        }
        LOG.infof("task %s: %s", delivery.key(), outcome);
        current = null;
        if (state == State.HOLDING) {
            state = State.IDLE;
        }
    }

    private AttemptOutcome awaitWhileRenewing(ConsumerRecord<String, byte[]> record, Future<AttemptOutcome> attempt,
            StopSignal stop) {
        boolean lockLost = false;
        while (true) {
            try {
                return lockLost ? AttemptOutcome.LOCK_LOST
                        : attempt.get(config.lockRenewInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!lockLost) {
                    lockLost = !renew(record);
                    if (lockLost) {
                        stop.stop(StopSignal.Kind.LOCK_LOST, "the task's acquisition lock could not be renewed");
                    }
                }
                if (lockLost) {
                    awaitQuietly(attempt); // let the attempt stop at its next step before taking anything new
                }
            } catch (ExecutionException e) {
                // The handler reports every failure as an event; reaching here is a bug. Let the lock expire so the
                // task is retried elsewhere rather than lost.
                LOG.errorf(e.getCause(), "attempt for %s crashed", record.key());
                return AttemptOutcome.LOCK_LOST;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.stop(StopSignal.Kind.SHUTDOWN, "interrupted");
                awaitQuietly(attempt);
                return AttemptOutcome.RELEASED;
            }
        }
    }

    private static void awaitQuietly(Future<AttemptOutcome> attempt) {
        try {
            attempt.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debugf(e.getCause(), "attempt ended with an error after its lock was lost");
        }
    }

    /** One RENEW per poll cycle; any error means the lock is gone. */
    private boolean renew(ConsumerRecord<String, byte[]> record) {
        try {
            consumer.acknowledge(record, AcknowledgeType.RENEW);
            consumer.commitSync();
            consumer.poll(RENEW_POLL); // hands the same record back; takes nothing new
            return true;
        } catch (WakeupException e) {
            return renew(record); // the wake-up was for shutdown, which the attempt handles; the lock is still ours
        } catch (RuntimeException e) {
            LOG.warnf("renewing the lock of task %s failed: %s", record.key(), e.toString());
            return false;
        }
    }

    private void acknowledge(ConsumerRecord<String, byte[]> record, AcknowledgeType type) {
        try {
            consumer.acknowledge(record, type);
            consumer.commitSync();
        } catch (WakeupException e) {
            acknowledge(record, type);
        } catch (RuntimeException e) {
            LOG.warnf("acknowledging task %s as %s failed (%s); the broker will redeliver it when its lock expires, "
                    + "and the job's attempt fencing ignores the repeat", record.key(), type, e.toString());
        }
    }
}
