package org.lorafoundry.testkit;

import java.util.Map;

/**
 * One real Kafka broker and one real PostgreSQL server for the whole test JVM, started on first use and stopped when the
 * JVM exits. Set {@code KAFKA_BOOTSTRAP_SERVERS} and/or {@code FOUNDRY_DB_URL} (with {@code FOUNDRY_DB_USER},
 * {@code FOUNDRY_DB_PASSWORD}) to use servers that already run instead; tests still get their own databases.
 */
public final class FoundryInfrastructure {

    private static FoundryInfrastructure instance;

    private final String kafkaBootstrapServers;
    private final PostgresServer postgres;

    private FoundryInfrastructure(String kafkaBootstrapServers, PostgresServer postgres) {
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.postgres = postgres;
    }

    public static synchronized FoundryInfrastructure get() {
        if (instance == null) {
            instance = start(System.getenv());
        }
        return instance;
    }

    private static FoundryInfrastructure start(Map<String, String> env) {
        String kafka = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (kafka == null || kafka.isBlank()) {
            KafkaBroker broker = KafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-kafka-shutdown"));
            kafka = broker.bootstrapServers();
        }
        String dbUrl = env.get("FOUNDRY_DB_URL");
        PostgresServer postgres;
        if (dbUrl == null || dbUrl.isBlank()) {
            postgres = PostgresServer.embedded();
            Runtime.getRuntime().addShutdownHook(new Thread(postgres::close, "test-postgres-shutdown"));
        } else {
            postgres = PostgresServer.external(dbUrl, env.getOrDefault("FOUNDRY_DB_USER", "postgres"),
                    env.getOrDefault("FOUNDRY_DB_PASSWORD", ""));
        }
        return new FoundryInfrastructure(kafka, postgres);
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    /** A fresh database; its name starts with {@code prefix}. */
    public Database newDatabase(String prefix) {
        return postgres.createDatabase(prefix);
    }
}
