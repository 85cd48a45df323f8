package org.lorafoundry.engine.finetune;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;

/**
 * Writes a directory so that its final name only ever holds a complete copy: everything goes into a hidden temporary
 * sibling, every file is forced to disk, then the temporary directory is renamed into place (an existing one is moved
 * aside first and deleted after). A crash leaves at most a {@code .tmp-*} sibling, never a half-written directory under
 * the real name.
 */
final class AtomicDirectory {

    /** Fills a directory. */
    @FunctionalInterface
    interface Contents {
        void writeInto(Path directory) throws IOException;
    }

    private AtomicDirectory() {
    }

    static void write(Path target, Contents contents) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String name = target.getFileName().toString();
        Path tmp = parent.resolve("." + name + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            contents.writeInto(tmp);
            try (var files = Files.list(tmp)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        force(f);
                    }
                }
            }
            Path old = null;
            if (Files.exists(target)) {
                old = parent.resolve("." + name + ".old-" + UUID.randomUUID());
                move(target, old);
            }
            move(tmp, target);
            forceDirectory(parent);
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException | RuntimeException e) {
            deleteRecursively(tmp);
            throw e;
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically (not one file system?)", e);
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /** Makes the rename itself durable where the platform allows opening a directory (Linux); elsewhere skipped. */
    private static void forceDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException e) {
            // not supported here (e.g. Windows): the rename is still atomic, only its durability is the OS's
        }
    }
}
