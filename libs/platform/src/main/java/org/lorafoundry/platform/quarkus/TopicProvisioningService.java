package org.lorafoundry.platform.quarkus;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.lorafoundry.platform.messaging.TopicDefinitions;
import org.lorafoundry.platform.messaging.TopicProvisioner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the platform's topics at start-up when {@code foundry.topics.provision} is on (the local default; production
 * clusters usually manage topics themselves). Runs in the background and retries until the broker answers; readiness
 * reports DOWN until it has succeeded.
 */
@ApplicationScoped
public class TopicProvisioningService {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioningService.class);

    private final Admin admin;
    private final boolean enabled;
    private final List<String> teams;
    private volatile boolean done;
    private ScheduledExecutorService executor;

    TopicProvisioningService(Admin admin,
            @ConfigProperty(name = "foundry.topics.provision", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "foundry.teams", defaultValue = "demo") List<String> teams) {
        this.admin = admin;
        this.enabled = enabled;
        this.teams = List.copyOf(teams);
        this.done = !enabled;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "topic-provisioning");
            thread.setDaemon(true);
            return thread;
        });
        executor.execute(this::attempt);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    public boolean done() {
        return done;
    }

    private void attempt() {
        try {
            new TopicProvisioner(admin, Duration.ofSeconds(15)).provision(TopicDefinitions.fromClasspath(), teams);
            done = true;
        } catch (RuntimeException e) {
            LOG.warn("Topic provisioning failed, retrying in 5 s: {}", e.getMessage());
            executor.schedule(this::attempt, 5, TimeUnit.SECONDS);
        }
    }
}
