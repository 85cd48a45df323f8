package org.lorafoundry.datasets.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.lorafoundry.datasets.DatasetsTestSupport;
import org.lorafoundry.proto.v1.DatasetIngested;
import org.lorafoundry.proto.v1.DatasetSplit;
import org.lorafoundry.proto.v1.IngestDataset;
import org.lorafoundry.testkit.FoundryTestResource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A file of hundreds of MB (generated here, size {@code -Ddatasets.large.mb}, default 300) ingests through an
 * IngestDataset command in streaming fashion. This JVM runs with {@code -Xmx256m} (failsafe's argLine in the module's
 * pom) and also hosts the Kafka broker and the whole service, so an ingest that buffered the file would die of
 * OutOfMemoryError; the test prints the size, time, rows/s and the heap's peak.
 */
@QuarkusTest
@QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)
class LargeFileIngestIT {

    private static final String[] WORDS = ("the a model dataset token adapter learning rate batch epoch loss gradient "
            + "layer attention head weight bias train validation split seed fraction prompt completion answer question "
            + "because therefore however while when where which café naïve résumé données über straße 東京 データ")
            .split(" ");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "foundry.blob.root")
    Path blobRoot;

    @jakarta.inject.Inject
    org.lorafoundry.platform.quarkus.TokenIssuer tokens;

    @Test
    void hundredsOfMegabytesIngestWithFlatMemory() throws Exception {
        long targetBytes = Long.getLong("datasets.large.mb", 300) * 1024 * 1024;
        Path file = Files.createTempFile("datasets-large-", ".jsonl");
        try {
            long started = System.nanoTime();
            long[] generated = generate(file, targetBytes);
            long rows = generated[0];
            long duplicates = generated[1];
            double generateSeconds = (System.nanoTime() - started) / 1e9;
            long size = Files.size(file);

            HeapSampler sampler = new HeapSampler();
            DatasetsTestSupport support = new DatasetsTestSupport(bootstrapServers);
            String datasetId = "it-large-" + UUID.randomUUID();
            long sent = System.nanoTime();
            support.sendIngest("demo", IngestDataset.newBuilder().setDatasetId(datasetId).setName("large")
                    .setSourceUri(file.toUri().toString()).setValidationFraction(0.05).build());

            DatasetIngested ingested = support.events(datasetId, 1, Duration.ofMinutes(5)).get(0).getDatasetIngested();
            double seconds = (System.nanoTime() - sent) / 1e9;
            HeapSampler.Peaks kafkaPeaks = sampler.stop();
            System.out.printf("LARGE FILE INGEST (Kafka command): %.1f MB, %,d rows (%,d duplicates) generated in %.1f s; "
                    + "command to DatasetIngested in %.1f s = %,.0f rows/s, %.1f MB/s; heap max %d MB; %s%n",
                    size / 1048576.0, rows, duplicates, generateSeconds, seconds, rows / seconds,
                    size / 1048576.0 / seconds, Runtime.getRuntime().maxMemory() / 1048576, kafkaPeaks);

            // The same file as a raw REST body (streamed from disk by the client): identical content, same version.
            sampler = new HeapSampler();
            long posted = System.nanoTime();
            io.restassured.response.Response upload = io.restassured.RestAssured.given().auth().oauth2(
                    tokens.mint("alice", List.of("demo"), List.of(org.lorafoundry.platform.auth.Role.MEMBER),
                            Duration.ofMinutes(10)))
                    .contentType("application/x-ndjson").body(file.toFile())
                    .when().post("/datasets/large?validationFraction=0.05");
            double restSeconds = (System.nanoTime() - posted) / 1e9;
            HeapSampler.Peaks restPeaks = sampler.stop();
            System.out.printf("LARGE FILE INGEST (REST raw body): %.1f MB in %.1f s = %,.0f rows/s, %.1f MB/s; %s%n",
                    size / 1048576.0, restSeconds, rows / restSeconds, size / 1048576.0 / restSeconds, restPeaks);
            upload.then().statusCode(200);
            assertThat(upload.jsonPath().getString("outcome")).isEqualTo("existing");
            assertThat(upload.jsonPath().getInt("dataset.version")).isEqualTo(ingested.getVersion());

            assertThat(ingested.getStatistics().getRowsRead()).isEqualTo(rows);
            assertThat(ingested.getStatistics().getDuplicatesRemoved()).isEqualTo(duplicates);
            assertThat(ingested.getStatistics().getRows()).isEqualTo(rows - duplicates);
            assertThat(ingested.getSplitsList().stream().mapToLong(DatasetSplit::getRowCount).sum())
                    .isEqualTo(rows - duplicates);
            for (DatasetSplit split : ingested.getSplitsList()) {
                Path blob = Path.of(URI.create(split.getBlob().getUri()));
                assertThat(blob).startsWith(blobRoot.toRealPath());
                assertThat(Files.size(blob)).isEqualTo(split.getBlob().getSizeBytes());
            }
            assertThat(Runtime.getRuntime().maxMemory()).as("run with failsafe's -Xmx256m")
                    .isLessThan(size);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Watches the heap during an ingest: the highest heap in use (sampled every 20 ms; garbage included) and the
     * highest heap left after a garbage collection (what is really held), against the level after a GC before it.
     */
    static final class HeapSampler {
        record Peaks(long baselineMb, long afterGcMb, long usedMb, int collections) {
            @Override
            public String toString() {
                return "heap after GC: " + baselineMb + " MB before, at most " + afterGcMb + " MB during (" + collections
                        + " collections); heap in use (garbage included) peaked at " + usedMb + " MB";
            }
        }

        private final java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong afterGc = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicInteger collections = new java.util.concurrent.atomic.AtomicInteger();
        private final long baseline;
        private final List<javax.management.NotificationEmitter> emitters = new java.util.ArrayList<>();
        private final javax.management.NotificationListener listener = (notification, handback) -> {
            if (com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                    .equals(notification.getType())) {
                com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management
                        .GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData)
                                notification.getUserData());
                long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(pool -> isHeap(pool.getKey())).mapToLong(pool -> pool.getValue().getUsed()).sum();
                afterGc.accumulateAndGet(after, Math::max);
                collections.incrementAndGet();
            }
        };
        private volatile boolean running = true;
        private final Thread thread;

        HeapSampler() {
            System.gc();
            baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof javax.management.NotificationEmitter emitter) {
                    emitter.addNotificationListener(listener, null, null);
                    emitters.add(emitter);
                }
            }
            thread = new Thread(() -> {
                while (running) {
                    used.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private static boolean isHeap(String pool) {
            return ManagementFactory.getMemoryPoolMXBeans().stream()
                    .anyMatch(bean -> bean.getName().equals(pool) && bean.getType() == MemoryType.HEAP);
        }

        Peaks stop() throws Exception {
            running = false;
            thread.join();
            for (javax.management.NotificationEmitter emitter : emitters) {
                emitter.removeNotificationListener(listener);
            }
            return new Peaks(baseline / 1048576, afterGc.get() / 1048576, used.get() / 1048576, collections.get());
        }
    }

    /** Writes distinct chat rows (every 1000th repeats its predecessor) until the target size; returns {rows, duplicates}. */
    private static long[] generate(Path file, long targetBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        long rows = 0;
        long duplicates = 0;
        long written = 0;
        String previous = null;
        StringBuilder row = new StringBuilder(512);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (written < targetBytes) {
                String line;
                if (previous != null && rows % 1000 == 999) {
                    line = previous;
                    duplicates++;
                } else {
                    row.setLength(0);
                    row.append("{\"messages\": [{\"role\": \"system\", \"content\": \"You answer questions about row ")
                            .append(rows).append(".\"}, {\"role\": \"user\", \"content\": \"");
                    words(random, row, 20 + random.nextInt(30));
                    row.append("?\"}, {\"role\": \"assistant\", \"content\": \"");
                    words(random, row, 10 + random.nextInt(20));
                    row.append(".\"}]}");
                    line = row.toString();
                }
                out.write(line);
                out.write('\n');
                written += line.getBytes(StandardCharsets.UTF_8).length + 1;
                previous = line;
                rows++;
            }
        }
        return new long[] {rows, duplicates};
    }

    private static void words(SplittableRandom random, StringBuilder out, int count) {
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                out.append(' ');
            }
            out.append(WORDS[random.nextInt(WORDS.length)]);
        }
    }
}
