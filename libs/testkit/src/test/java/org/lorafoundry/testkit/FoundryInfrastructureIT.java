package org.lorafoundry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class FoundryInfrastructureIT {

    private final FoundryInfrastructure infrastructure = FoundryInfrastructure.get();

    @Test
    void brokerAcceptsAndDeliversRecords() throws Exception {
        String topic = "testkit.roundtrip";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                infrastructure.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        KafkaTestClient client = new KafkaTestClient(infrastructure.kafkaBootstrapServers());
        client.send(topic, "k", "hello".getBytes(StandardCharsets.UTF_8), Map.of("foundry-event-id", "e-1"));

        var records = client.await(topic, record -> true, 1, Duration.ofSeconds(30));

        assertThat(records).hasSize(1);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(KafkaTestClient.header(records.get(0), "foundry-event-id")).isEqualTo("e-1");
    }

    @Test
    void eachCallerGetsItsOwnEmptyDatabase() throws Exception {
        Database first = infrastructure.newDatabase("testkit");
        Database second = infrastructure.newDatabase("testkit");
        assertThat(first.jdbcUrl()).isNotEqualTo(second.jdbcUrl());

        try (Connection connection = first.connect(); Statement statement = connection.createStatement()) {
            statement.execute("create table marker (id int)");
        }
        try (Connection connection = second.connect(); Statement statement = connection.createStatement();
             ResultSet tables = statement.executeQuery(
                     "select table_name from information_schema.tables where table_schema = 'public'")) {
            Set<String> names = new java.util.HashSet<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            assertThat(names).doesNotContain("marker");
        }
    }
}
