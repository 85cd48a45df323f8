package org.lorafoundry.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at the real infrastructure of {@link FoundryInfrastructure}: the broker, a fresh
 * database of its own, and a fresh blob-store directory. Use with
 * {@code @QuarkusTestResource(value = FoundryTestResource.class, restrictToAnnotatedClass = false)}, so that all test
 * classes of a module share one application start.
 */
public class FoundryTestResource implements QuarkusTestResourceLifecycleManager {

    private Path blobRoot;
    private Path keysDir;

    @Override
    public Map<String, String> start() {
        FoundryInfrastructure infrastructure = FoundryInfrastructure.get();
        Database database = infrastructure.newDatabase("foundry_test");
        try {
            blobRoot = Files.createTempDirectory("foundry-blobs-");
            keysDir = Files.createTempDirectory("foundry-keys-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "kafka.bootstrap.servers", infrastructure.kafkaBootstrapServers(),
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", database.user(),
                "quarkus.datasource.password", database.password(),
                "foundry.blob.root", blobRoot.toString(),
                // The service creates this key pair at start-up; tests mint tokens with the platform's TokenIssuer.
                "mp.jwt.verify.publickey.location", keysDir.resolve("jwt-public.pem").toString(),
                "foundry.auth.private-key", keysDir.resolve("jwt-private.pem").toString());
    }

    @Override
    public void stop() {
        Directories.deleteRecursively(blobRoot);
        Directories.deleteRecursively(keysDir);
    }
}
