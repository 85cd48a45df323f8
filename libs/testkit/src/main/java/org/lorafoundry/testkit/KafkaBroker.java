package org.lorafoundry.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running inside the test JVM, on free ports,
 * with the settings RECIPES.md found necessary for one node. Its kafka_2.13 version equals the kafka-clients version.
 */
public final class KafkaBroker implements AutoCloseable {

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;

    private KafkaBroker(KafkaRaftServer server, String bootstrapServers, Path dataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
    }

    public static KafkaBroker start() {
        try {
            Path dataDir = Files.createTempDirectory("foundry-kafka-");
            int port = FreePorts.next();
            int controllerPort = FreePorts.next();
            Map<String, String> settings = settings(dataDir, port, controllerPort);

            Properties properties = new Properties();
            properties.putAll(settings);
            Path propertiesFile = dataDir.resolve("server.properties");
            try (var out = Files.newOutputStream(propertiesFile)) {
                properties.store(out, "foundry test broker");
            }
            ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
            int status = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                "-c", propertiesFile.toString(), "--ignore-formatted"}, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IllegalStateException("Kafka storage format failed: " + formatLog.toString(StandardCharsets.UTF_8));
            }
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(new HashMap<>(settings), false), Time.SYSTEM);
            server.startup();
            return new KafkaBroker(server, "127.0.0.1:" + port, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the test Kafka broker", e);
        }
    }

    static Map<String, String> settings(Path dataDir, int port, int controllerPort) {
        Map<String, String> settings = new HashMap<>();
        settings.put("process.roles", "broker,controller");
        settings.put("node.id", "1");
        settings.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        settings.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        settings.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("inter.broker.listener.name", "PLAINTEXT");
        settings.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        settings.put("log.dirs", dataDir.resolve("logs").toString());
        settings.put("num.partitions", "1");
        settings.put("auto.create.topics.enable", "false");
        // One node: every internal topic with replication factor 1.
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "1");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        // Lets share-group tests use second-long acquisition locks (the production floor is 15 s).
        settings.put("group.share.min.record.lock.duration.ms", "1000");
        // The default 128 MB dedupe buffer exhausts a small test heap once a compacted topic exists.
        settings.put("log.cleaner.dedupe.buffer.size", "4194304");
        return settings;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        Directories.deleteRecursively(dataDir);
    }
}
