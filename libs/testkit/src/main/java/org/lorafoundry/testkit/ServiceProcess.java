package org.lorafoundry.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Foundry service running as its own process from its packaged jar ({@code services/<name>/target/quarkus-app}),
 * its output in a log file. Black-box tests start services this way to treat them as a deployment would: separate
 * JVMs that can be stopped gracefully ({@link #close()}, SIGTERM) or killed ({@link #kill()}, SIGKILL).
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code services/<service>/target/quarkus-app/quarkus-run.jar} of the repository at system property
     * {@code foundry.root} (default {@code ..}) and waits until {@code /q/health/ready} answers 200.
     *
     * @param name     the process's name in logs ({@code <logDir>/<name>.log}); several processes of one service need
     *                 different names
     * @param jvmFlags extra JVM flags (system properties, heap)
     */
    public static ServiceProcess start(String service, String name, Map<String, String> environment,
            List<String> jvmFlags, Path logDir, Duration readyTimeout) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("foundry.root", "..")).toAbsolutePath().normalize();
        Path jar = root.resolve("services/" + service + "/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Service jar missing: " + jar + " (run ./mvnw install from the root)");
        }
        int port = FreePorts.next();
        Path log = Files.createDirectories(logDir).resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        if (jvmFlags.stream().noneMatch(flag -> flag.startsWith("-Xmx"))) {
            command.add("-Xmx256m");
        }
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
        ServiceProcess started = new ServiceProcess(name, builder.start(), port, log);
        started.awaitReady(readyTimeout);
        return started;
    }

    /** {@link #start(String, String, Map, List, Path, Duration)} with the service's name and default JVM flags. */
    public static ServiceProcess start(String service, Map<String, String> environment, Path logDir,
            Duration readyTimeout) throws IOException, InterruptedException {
        return start(service, service, environment, List.of(), logDir, readyTimeout);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(40));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException(name + " not ready after " + timeout + ":\n" + tail(40));
    }

    /** The last lines of the process's output (for failure messages). */
    public String tail(int lines) throws IOException {
        var all = Files.readAllLines(log);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** SIGKILL: the process dies at once, as in a crash; nothing of it runs any more. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, waiting for a graceful shutdown (then SIGKILL after 30 s). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
