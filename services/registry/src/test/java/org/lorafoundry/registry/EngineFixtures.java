package org.lorafoundry.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The LoRA engine's committed fixtures (libs/engine src/test/resources/fixtures, on the classpath through the engine's
 * test-jar): tiny gpt2 / llama / qwen2 checkpoints written by transformers, with what transformers said about them
 * ({@code reference.json}), and PEFT-written adapters under {@code peft/<case>/} with PEFT's logits.
 */
public final class EngineFixtures {

    /** The files of a fixture that are transformers' or PEFT's outputs about the model, not part of it. */
    private static final List<String> NOT_MODEL_FILES = List.of("reference.json", "logits.safetensors");
    private static final ObjectMapper JSON = new ObjectMapper();

    private EngineFixtures() {
    }

    /**
     * Copies the fixture {@code name} (e.g. {@code llama}, {@code peft/llama-default}) into {@code target} (created),
     * without its reference files unless {@code withReferences}; returns {@code target}.
     */
    public static Path copy(String name, Path target, boolean withReferences) throws IOException {
        Files.createDirectories(target);
        withFixture(name, source -> {
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String fileName = file.getFileName().toString();
                    if (withReferences || !NOT_MODEL_FILES.contains(fileName)) {
                        Files.copy(file, target.resolve(fileName));
                    }
                }
            }
        });
        return target;
    }

    /** The fixture's {@code reference.json}: transformers' parameter count, module names, PEFT's settings... */
    public static JsonNode reference(String name) throws IOException {
        JsonNode[] reference = new JsonNode[1];
        withFixture(name, source -> reference[0] = JSON.readTree(Files.readString(source.resolve("reference.json"))));
        return reference[0];
    }

    private interface FixtureAction {
        void accept(Path fixture) throws IOException;
    }

    /** The fixture as a path, whether the test-jar is a jar (read through a zip file system) or a directory. */
    private static void withFixture(String name, FixtureAction action) throws IOException {
        URL url = EngineFixtures.class.getResource("/fixtures/" + name + "/");
        if (url == null) {
            throw new IllegalStateException("engine fixture '" + name + "' is not on the test classpath (the "
                    + "foundry-engine test-jar dependency)");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (!"jar".equals(uri.getScheme())) {
            action.accept(Path.of(uri));
            return;
        }
        FileSystem jar;
        boolean opened;
        try {
            jar = FileSystems.newFileSystem(uri, Map.of());
            opened = true;
        } catch (FileSystemAlreadyExistsException e) {
            jar = FileSystems.getFileSystem(uri);
            opened = false;
        }
        try {
            action.accept(jar.getPath("/fixtures/" + name));
        } finally {
            if (opened) {
                jar.close();
            }
        }
    }
}
