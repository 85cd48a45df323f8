package org.lorafoundry.datasets.service;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Resolves the source URIs of IngestDataset commands. Only {@code file://} URIs of regular files inside one of the import
 * roots are read (symbolic links are resolved first), so a command cannot make the service read arbitrary host files.
 */
public final class SourceResolver {

    private final List<Path> roots;

    public SourceResolver(List<Path> importRoots) {
        List<Path> resolved = new ArrayList<>();
        for (Path root : importRoots) {
            try {
                resolved.add(root.toRealPath());
            } catch (IOException missing) {
                // A root that does not exist holds no files; skip it.
            }
        }
        this.roots = List.copyOf(resolved);
    }

    public List<Path> roots() {
        return roots;
    }

    /** @throws UnreadableSourceException with a message for a person when the URI cannot or may not be read */
    public DatasetInput resolve(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri.strip());
        } catch (IllegalArgumentException e) {
            throw new UnreadableSourceException("'" + uri + "' is not a URI: " + e.getMessage());
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("file")) {
            throw new UnreadableSourceException("Cannot read '" + uri + "': only file:// sources are supported so far"
                    + (scheme.isEmpty() ? " (give an absolute file:// URI)" : " (not " + scheme + "://)"));
        }
        Path file;
        try {
            file = Path.of(parsed).toRealPath();
        } catch (NoSuchFileException e) {
            throw new UnreadableSourceException("'" + uri + "' does not exist");
        } catch (IllegalArgumentException | IOException | java.nio.file.FileSystemNotFoundException e) {
            throw new UnreadableSourceException("Cannot read '" + uri + "': " + e.getMessage());
        }
        if (roots.stream().noneMatch(file::startsWith)) {
            throw new UnreadableSourceException("'" + uri + "' is outside the import roots " + roots
                    + " (foundry.datasets.import-roots); copy the file there or ask an admin to add a root");
        }
        if (!Files.isRegularFile(file)) {
            throw new UnreadableSourceException("'" + uri + "' is not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new UnreadableSourceException("'" + uri + "' is not readable by the datasets service");
        }
        return DatasetInput.ofFile(parsed.toString(), file);
    }

    /** A source that cannot or may not be read. */
    public static final class UnreadableSourceException extends RuntimeException {
        public UnreadableSourceException(String message) {
            super(message);
        }
    }
}
