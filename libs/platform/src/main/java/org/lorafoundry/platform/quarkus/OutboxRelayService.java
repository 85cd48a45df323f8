package org.lorafoundry.platform.quarkus;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import org.apache.kafka.clients.producer.Producer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.platform.outbox.OutboxRelay;
import org.lorafoundry.platform.outbox.OutboxRelay.OutboxRelayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link OutboxRelay} of this service on its own thread for as long as the service runs. A failure (database or
 * broker down) is logged and retried on the next tick; nothing is lost because the rows stay pending.
 */
@ApplicationScoped
public class OutboxRelayService {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelayService.class);

    private final OutboxRelay relay;
    private final Duration pollInterval;
    private final Duration purgeInterval;
    private ScheduledExecutorService executor;
    private volatile String lastError;

    OutboxRelayService(DataSource dataSource, Producer<String, byte[]> producer,
            @ConfigProperty(name = "quarkus.application.name") String owner,
            @ConfigProperty(name = "foundry.outbox.poll-interval", defaultValue = "PT0.1S") Duration pollInterval,
            @ConfigProperty(name = "foundry.outbox.retention", defaultValue = "P1D") Duration retention) {
        OutboxRelayConfig defaults = OutboxRelayConfig.defaultsFor(owner);
        this.relay = new OutboxRelay(dataSource, producer,
                new OutboxRelayConfig(defaults.batchSize(), defaults.sendTimeout(), retention, defaults.lockId()));
        this.pollInterval = pollInterval;
        this.purgeInterval = Duration.ofMinutes(10);
    }

    void start(@Observes StartupEvent event) {
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "outbox-relay");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::drain, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::purge, purgeInterval.toMillis(), purgeInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (executor != null) {
            executor.shutdown();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** The last failure of the relay, or null once it publishes again. */
    public String lastError() {
        return lastError;
    }

    private void drain() {
        try {
            while (relay.publishPending() > 0) {
                // keep draining while there is a backlog
            }
            lastError = null;
        } catch (Exception e) {
            if (lastError == null) {
                LOG.warn("Outbox relay cannot publish yet (will retry): {}", e.toString());
            }
            lastError = e.toString();
        }
    }

    private void purge() {
        try {
            relay.purgePublished();
        } catch (Exception e) {
            LOG.debug("Outbox purge failed (will retry)", e);
        }
    }
}
