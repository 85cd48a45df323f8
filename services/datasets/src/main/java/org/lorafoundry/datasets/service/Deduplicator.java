package org.lorafoundry.datasets.service;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

import org.lorafoundry.datasets.validation.RowHash;

/**
 * Finds exact duplicate rows (equal 128-bit hashes of the normalised rows) with bounded memory. The row index file is
 * split into partitions by hash of at most {@code partitionRows} rows each (one partition, and no extra files, for small
 * inputs); each partition is deduplicated in a {@link RowHashSet}. The first occurrence of a row is kept; later ones are
 * marked in a bit set (one bit per row). It also counts the kept validation rows and picks, deterministically, the row
 * to hold out when a fraction split would otherwise leave the validation split empty.
 */
final class Deduplicator {

    /**
     * @param duplicates     bit set of duplicate row indices
     * @param duplicateCount how many duplicates
     * @param samples        the first duplicates by row index: {duplicate row, first row, duplicate line, first line}
     * @param validationRows kept rows that go to validation (with the fallback row, when one is used)
     * @param fallbackRow    the row moved to validation because the fraction split chose none, or -1
     */
    record Outcome(BitSet duplicates, long duplicateCount, List<long[]> samples, long validationRows, long fallbackRow) {
    }

    private final int partitionRows;
    private final int maxSamples;

    Deduplicator(int partitionRows, int maxSamples) {
        this.partitionRows = partitionRows;
        this.maxSamples = maxSamples;
    }

    Outcome run(Path index, long rows, SplitRule rule, Path work) throws IOException {
        int n = (int) rows;
        int partitions = (int) Math.max(1, (rows + partitionRows - 1) / partitionRows);
        State state = new State(n, rule);
        if (partitions == 1) {
            RowHashSet set = new RowHashSet(n);
            try (DataInputStream in = open(index)) {
                for (int row = 0; row < n; row++) {
                    long h1 = in.readLong();
                    long h2 = in.readLong();
                    in.skipNBytes(RowSink.RECORD_BYTES - 16);
                    state.accept(set, row, h1, h2);
                }
            }
        } else {
            Path[] files = new Path[partitions];
            int[] counts = new int[partitions];
            DataOutputStream[] outs = new DataOutputStream[partitions];
            try {
                for (int p = 0; p < partitions; p++) {
                    files[p] = work.resolve("dedup-" + p + ".bin");
                    outs[p] = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(files[p]), 1 << 14));
                }
                try (DataInputStream in = open(index)) {
                    for (int row = 0; row < n; row++) {
                        long h1 = in.readLong();
                        long h2 = in.readLong();
                        in.skipNBytes(RowSink.RECORD_BYTES - 16);
                        int p = (int) Long.remainderUnsigned(h2, partitions);
                        outs[p].writeLong(h1);
                        outs[p].writeLong(h2);
                        outs[p].writeInt(row);
                        counts[p]++;
                    }
                }
            } finally {
                for (DataOutputStream out : outs) {
                    if (out != null) {
                        out.close();
                    }
                }
            }
            for (int p = 0; p < partitions; p++) {
                RowHashSet set = new RowHashSet(counts[p]);
                try (DataInputStream in = open(files[p])) {
                    for (int i = 0; i < counts[p]; i++) {
                        long h1 = in.readLong();
                        long h2 = in.readLong();
                        int row = in.readInt();
                        state.accept(set, row, h1, h2);
                    }
                }
                Files.delete(files[p]);
            }
        }
        long fallback = -1;
        if (rule.wantsValidation() && !rule.separateValidation() && state.validationRows == 0
                && rows - state.duplicateCount >= 2) {
            fallback = state.minSplitRow;
        }
        return new Outcome(state.duplicates, state.duplicateCount, samples(state, index),
                state.validationRows + (fallback >= 0 ? 1 : 0), fallback);
    }

    private List<long[]> samples(State state, Path index) throws IOException {
        List<long[]> samples = new ArrayList<>(state.samples);
        samples.sort(Comparator.comparingLong(s -> s[0]));
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.READ)) {
            ByteBuffer line = ByteBuffer.allocate(8);
            List<long[]> resolved = new ArrayList<>();
            for (long[] sample : samples) {
                resolved.add(new long[] {sample[0], sample[1], lineOf(channel, line, sample[0]),
                        lineOf(channel, line, sample[1])});
            }
            return resolved;
        }
    }

    private static long lineOf(FileChannel channel, ByteBuffer buffer, long row) throws IOException {
        buffer.clear();
        long position = row * RowSink.RECORD_BYTES + 16;
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("Row index ends before row " + row);
            }
        }
        return buffer.flip().getLong();
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    /** Running results over all partitions. */
    private final class State {
        final BitSet duplicates;
        final SplitRule rule;
        final PriorityQueue<long[]> samples = new PriorityQueue<>(Comparator.comparingLong((long[] s) -> s[0]).reversed());
        long duplicateCount;
        long validationRows;
        long minSplitRow = -1;
        double minSplitValue = Double.MAX_VALUE;

        State(int rows, SplitRule rule) {
            this.duplicates = new BitSet(rows);
            this.rule = rule;
        }

        void accept(RowHashSet set, int row, long h1, long h2) {
            int first = set.putIfAbsent(h1, h2, row);
            if (first >= 0) {
                duplicates.set(row);
                duplicateCount++;
                if (samples.size() < maxSamples) {
                    samples.add(new long[] {row, first});
                } else if (maxSamples > 0 && samples.peek()[0] > row) {
                    samples.poll();
                    samples.add(new long[] {row, first});
                }
                return;
            }
            if (rule.isValidation(row, h1, h2)) {
                validationRows++;
            } else if (!rule.separateValidation() && rule.fraction() > 0) {
                double value = RowHash.splitValue(rule.seed(), h1, h2);
                if (value < minSplitValue) {
                    minSplitValue = value;
                    minSplitRow = row;
                }
            }
        }
    }
}
