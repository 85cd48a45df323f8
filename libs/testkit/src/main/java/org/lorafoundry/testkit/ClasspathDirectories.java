package org.lorafoundry.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Copies a directory of the test classpath (e.g. the engine's committed model fixtures from its test-jar) to disk, for
 * code that needs real files: a base model directory, an adapter directory.
 */
public final class ClasspathDirectories {

    private ClasspathDirectories() {
    }

    /** Copies {@code resource} (a directory in a jar or on disk) to {@code target} and returns {@code target}. */
    public static Path copy(String resource, Path target) throws IOException {
        URL url = ClasspathDirectories.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException(resource + " is not on the test classpath");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if ("jar".equals(uri.getScheme())) {
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                copyTree(jar.getPath(resource), target);
            }
        } else {
            copyTree(Path.of(uri), target);
        }
        return target;
    }

    private static void copyTree(Path source, Path target) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.toList();
        }
        for (Path path : paths) {
            Path to = target.resolve(source.relativize(path).toString());
            if (Files.isDirectory(path)) {
                Files.createDirectories(to);
            } else {
                Files.copy(path, to);
            }
        }
    }
}
