package org.lorafoundry.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.lorafoundry.testkit.FoundryInfrastructure;

/** Topic provisioning against a real broker. */
class TopicProvisionerIT {

    @Test
    void createsMissingTopicsWithTheirConfigsAndIsIdempotent() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        TopicDefinitions definitions = TopicDefinitions.parse(new StringReader("""
                topic it.%1$s.table partitions=2 cleanup.policy=compact
                topic it.%1$s.commands.{team} partitions=3
                group it-%1$s-workers share.auto.offset.reset=earliest share.record.lock.duration.ms=20000
                """.formatted(suffix)), "test");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                FoundryInfrastructure.get().kafkaBootstrapServers()))) {
            TopicProvisioner provisioner = new TopicProvisioner(admin, Duration.ofSeconds(30));

            List<String> created = provisioner.provision(definitions, List.of("red", "blue"));
            assertThat(created).containsExactlyInAnyOrder("it." + suffix + ".table", "it." + suffix + ".commands.red",
                    "it." + suffix + ".commands.blue");
            assertThat(provisioner.provision(definitions, List.of("red", "blue"))).isEmpty();

            var description = admin.describeTopics(List.of("it." + suffix + ".commands.red")).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            assertThat(description.get("it." + suffix + ".commands.red").partitions()).hasSize(3);

            ConfigResource table = new ConfigResource(ConfigResource.Type.TOPIC, "it." + suffix + ".table");
            Config tableConfig = admin.describeConfigs(List.of(table)).all().get(30, TimeUnit.SECONDS).get(table);
            assertThat(tableConfig.get("cleanup.policy").value()).isEqualTo("compact");

            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, "it-" + suffix + "-workers");
            Config groupConfig = admin.describeConfigs(List.of(group)).all().get(30, TimeUnit.SECONDS).get(group);
            assertThat(groupConfig.get("share.auto.offset.reset").value()).isEqualTo("earliest");
            assertThat(groupConfig.get("share.record.lock.duration.ms").value()).isEqualTo("20000");
        }
    }

    @Test
    void theShippedDefinitionsApplyToARealBroker() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                FoundryInfrastructure.get().kafkaBootstrapServers()))) {
            new TopicProvisioner(admin, Duration.ofSeconds(30)).provision(TopicDefinitions.fromClasspath(), List.of("demo"));
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains(Topics.TRAINING_TASKS, Topics.DEAD_LETTERS, Topics.jobCommands("demo"));
        }
    }
}
