package org.lorafoundry.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The independent Kafka client people use ({@code kcat}, Debian package {@code kcat}; {@code .ci/run} installs it):
 * what a team would type, run for real.
 */
final class Kcat {

    private final String bootstrapServers;

    Kcat(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Produces one record whose value is the file's bytes (a file argument is one message, newlines and all). */
    void produce(String topic, String key, byte[] value, Map<String, String> headers)
            throws IOException, InterruptedException {
        Path file = Files.createTempFile("kcat-", ".bin");
        try {
            Files.write(file, value);
            List<String> command = new ArrayList<>(List.of("kcat", "-P", "-b", bootstrapServers, "-t", topic, "-k", key));
            headers.forEach((name, headerValue) -> command.addAll(List.of("-H", name + "=" + headerValue)));
            command.add(file.toString());
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IllegalStateException("kcat is not installed: apt-get install -y kcat (.ci/run installs it)", e);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("kcat failed: "
                        + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
