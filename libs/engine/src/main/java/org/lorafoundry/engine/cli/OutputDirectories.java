package org.lorafoundry.engine.cli;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * How commands put output directories in place and clear old ones: a directory is written under a hidden staging
 * name beside its target and renamed when complete, so its real name never holds half a model.
 */
final class OutputDirectories {
    private OutputDirectories() {
    }

    /** A hidden sibling of {@code target} to write into ({@code .<name>.tmp-<uuid>}); not created. */
    static Path staging(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        return absolute.resolveSibling("." + absolute.getFileName() + ".tmp-" + UUID.randomUUID());
    }

    /** Renames the complete {@code staging} directory to {@code target}, replacing an existing one. */
    static void publish(Path staging, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = staging.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
            move(target, old);
        }
        move(staging, target);
        if (old != null) {
            delete(old);
        }
    }

    /** Deletes a file or a directory tree; nothing when it does not exist. */
    static void delete(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }
}
