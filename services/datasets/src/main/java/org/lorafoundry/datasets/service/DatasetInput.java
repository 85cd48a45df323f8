package org.lorafoundry.datasets.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** One JSONL input of an ingest: the source or the separate validation file. Read once, as a stream. */
public interface DatasetInput {

    /** Where it comes from, as recorded in events and reports (e.g. {@code file:///...}, {@code upload:train.jsonl}). */
    String uri();

    /** Its size when known before reading (a file, a multipart part); lets a too-large input be refused unread. */
    OptionalLong size();

    InputStream open() throws IOException;

    /** A file on this machine. */
    static DatasetInput ofFile(String uri, Path file) {
        return new DatasetInput() {
            @Override
            public String uri() {
                return uri;
            }

            @Override
            public OptionalLong size() {
                try {
                    return OptionalLong.of(Files.size(file));
                } catch (IOException e) {
                    return OptionalLong.empty();
                }
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }
        };
    }

    /** A stream that can be read once (a raw request body). */
    static DatasetInput ofStream(String uri, InputStream stream, OptionalLong size) {
        return new DatasetInput() {
            private boolean opened;

            @Override
            public String uri() {
                return uri;
            }

            @Override
            public OptionalLong size() {
                return size;
            }

            @Override
            public synchronized InputStream open() throws IOException {
                if (opened) {
                    throw new IOException("The stream of " + uri + " was read already");
                }
                opened = true;
                return stream;
            }
        };
    }
}
