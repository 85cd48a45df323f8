package org.lorafoundry.datasets.service;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.lorafoundry.datasets.validation.RowHash;

/**
 * Pass 1's output: every valid normalised row, in input order, as {@code rows.jsonl} (one row per line), and a
 * fixed-size record per row in {@code rows.index} (128-bit row hash, line number, characters, byte length). Later passes
 * read both sequentially, so nothing per row stays in memory.
 */
final class RowSink implements Closeable {

    /** h1 (8) + h2 (8) + line (8) + characters (4) + length (4). */
    static final int RECORD_BYTES = 32;
    static final long MAX_ROWS = Integer.MAX_VALUE - 8;

    private final Path rows;
    private final Path index;
    private final OutputStream rowsOut;
    private final DataOutputStream indexOut;
    private long count;
    private boolean closed;

    RowSink(Path work) throws IOException {
        this.rows = work.resolve("rows.jsonl");
        this.index = work.resolve("rows.index");
        this.rowsOut = new BufferedOutputStream(Files.newOutputStream(rows), 1 << 16);
        this.indexOut = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(index), 1 << 16));
    }

    void add(byte[] row, int length, long line, long characters) throws IOException {
        long[] hash = RowHash.of(row, 0, length);
        rowsOut.write(row, 0, length);
        rowsOut.write('\n');
        indexOut.writeLong(hash[0]);
        indexOut.writeLong(hash[1]);
        indexOut.writeLong(line);
        indexOut.writeInt((int) Math.min(characters, Integer.MAX_VALUE));
        indexOut.writeInt(length);
        count++;
    }

    boolean full() {
        return count >= MAX_ROWS;
    }

    long count() {
        return count;
    }

    Path rows() {
        return rows;
    }

    Path index() {
        return index;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try (rowsOut; indexOut) {
                rowsOut.flush();
                indexOut.flush();
            }
        }
    }
}
