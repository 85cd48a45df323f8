package org.lorafoundry.platform.quarkus;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the broker answers, the platform topics exist and the outbox relay is publishing. */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {

    private final Admin admin;
    private final TopicProvisioningService provisioning;
    private final OutboxRelayService relay;

    KafkaReadinessCheck(Admin admin, TopicProvisioningService provisioning, OutboxRelayService relay) {
        this.admin = admin;
        this.provisioning = provisioning;
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafka");
        try {
            String clusterId = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000))
                    .clusterId().get(4, TimeUnit.SECONDS);
            response.withData("clusterId", clusterId);
        } catch (Exception e) {
            return response.down().withData("error", "broker unreachable: " + e.getMessage()).build();
        }
        response.withData("topicsProvisioned", provisioning.done());
        String relayError = relay.lastError();
        if (relayError != null) {
            response.withData("outboxRelayError", relayError);
        }
        return response.status(provisioning.done() && relayError == null).build();
    }
}
