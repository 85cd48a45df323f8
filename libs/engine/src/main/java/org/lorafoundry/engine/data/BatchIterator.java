package org.lorafoundry.engine.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.lorafoundry.engine.train.TrainingBatch;

/**
 * Micro-batches over encoded examples for {@code LoraTrainer.train}, epoch after epoch.
 *
 * <p><b>Shuffling</b> is deterministic: one {@code java.util.Random(seed)} is created per iterator and each epoch's
 * order is {@code Collections.shuffle(indices 0..n-1, random)} of the previous epoch's draws, so the same seed, examples
 * and options always give the same batches (the order is Java's, not PyTorch's sampler's). With shuffling off the order is
 * the examples' order every epoch.
 *
 * <p><b>Padding</b>: each batch is right-padded to its longest row (at least 2) with {@code padId}; padded positions have
 * attention mask 0 and label -100. The last batch of an epoch may be smaller.
 *
 * <p><b>Packing</b> (optional): after shuffling, examples are concatenated greedily in order into rows of at most
 * {@code maxLength} tokens (a new row starts when the next example does not fit). The first label of every example but
 * the row's first is set to -100, so no token is learned from the previous example's last token. Attention is NOT
 * reset at example boundaries: tokens attend to the earlier examples of their row (the model takes only a causal +
 * padding mask; per-example masks / position ids are not implemented), and positions run on across the row.
 *
 * <p><b>Position</b>: {@link #position()} says where the next batch starts (epoch, row of that epoch's order) and
 * {@link #seek} moves the iterator there, replaying the shuffles of the epochs before it, so a resumed run sees
 * exactly the batches the interrupted one would have seen.
 */
public final class BatchIterator implements Iterator<TrainingBatch> {

    /**
     * @param batchSize rows per micro-batch
     * @param maxLength longest packed row (and the limit for packing; examples should already be truncated to it)
     * @param padId pad token id (see {@link ExampleEncoder#padId})
     * @param seed shuffle seed
     * @param shuffle shuffle every epoch
     * @param packing concatenate examples up to {@code maxLength}
     * @param epochs passes over the data
     */
    public record Options(int batchSize, int maxLength, long padId, long seed, boolean shuffle, boolean packing,
            int epochs) {
        public Options {
            if (batchSize < 1 || maxLength < 2 || epochs < 1) {
                throw new IllegalArgumentException("batchSize >= 1, maxLength >= 2 and epochs >= 1 needed, got "
                        + batchSize + ", " + maxLength + ", " + epochs);
            }
        }
    }

    /**
     * Where the next batch starts: row {@code row} of epoch {@code epoch}'s (shuffled, packed) rows, both 0-based.
     */
    public record Position(int epoch, int row) {
        public static final Position START = new Position(0, 0);

        public Position {
            if (epoch < 0 || row < 0) {
                throw new IllegalArgumentException("epoch and row must be >= 0, got " + epoch + ", " + row);
            }
        }
    }

    private final List<TrainingExample> examples;
    private final Options options;
    private Random random;
    private int epoch;
    private List<List<TrainingExample>> rows = List.of();
    private int next;

    public BatchIterator(List<TrainingExample> examples, Options options) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples");
        }
        if (options.packing()) {
            for (TrainingExample e : examples) {
                if (e.length() > options.maxLength()) {
                    throw new IllegalArgumentException("an example of " + e.length() + " tokens is longer than maxLength "
                            + options.maxLength() + " (truncate it with the encoder's maxLength)");
                }
            }
        }
        this.examples = List.copyOf(examples);
        this.options = options;
        this.random = new Random(options.seed());
    }

    /** The 0-based epoch of the batch returned last (or to come, before the first {@code next()}). */
    public int epoch() {
        return Math.max(0, epoch - 1);
    }

    /** Where the next batch starts ({@code (e + 1, 0)} once epoch {@code e} has been handed out entirely). */
    public Position position() {
        if (epoch > 0 && next < rows.size()) {
            return new Position(epoch - 1, next);
        }
        return new Position(epoch, 0);
    }

    /** Epochs handed out so far, fractional: the finished ones plus the share of the current epoch's rows. */
    public double epochsDone() {
        if (epoch > 0 && next < rows.size()) {
            return epoch - 1 + (double) next / rows.size();
        }
        return epoch;
    }

    /**
     * Moves to {@code position} (of an iterator with the same examples and options): the shuffles of every epoch up
     * to it are drawn again from the seed, so the batches from there on are the ones an uninterrupted iterator gives.
     */
    public void seek(Position position) {
        if (position.epoch() > options.epochs()) {
            throw new IllegalArgumentException("position " + position + " is past the last of " + options.epochs()
                    + " epochs");
        }
        random = new Random(options.seed());
        epoch = 0;
        rows = List.of();
        next = 0;
        while (epoch <= position.epoch() && epoch < options.epochs()) {
            startEpoch();
        }
        if (position.row() > rows.size()) {
            throw new IllegalArgumentException("position " + position + " is past the " + rows.size()
                    + " rows of epoch " + position.epoch() + " (other examples or options than the run that recorded"
                    + " it?)");
        }
        next = position.epoch() < epoch ? position.row() : rows.size();
    }

    /**
     * Micro-batches in each of the first {@code epochs} epochs (with packing, each epoch's row count depends on its
     * shuffle), computed on a copy of the shuffling state: this iterator does not move.
     */
    public List<Integer> batchesPerEpoch(int epochs) {
        Random planning = new Random(options.seed());
        List<Integer> out = new ArrayList<>(epochs);
        for (int e = 0; e < epochs; e++) {
            int rowCount = buildRows(order(planning)).size();
            out.add((rowCount + options.batchSize() - 1) / options.batchSize());
        }
        return out;
    }

    @Override
    public boolean hasNext() {
        if (next < rows.size()) {
            return true;
        }
        if (epoch >= options.epochs()) {
            return false;
        }
        startEpoch();
        return next < rows.size();
    }

    private void startEpoch() {
        rows = buildRows(order(random));
        next = 0;
        epoch++;
    }

    private List<Integer> order(Random rng) {
        List<Integer> order = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            order.add(i);
        }
        if (options.shuffle()) {
            Collections.shuffle(order, rng);
        }
        return order;
    }

    private List<List<TrainingExample>> buildRows(List<Integer> order) {
        List<List<TrainingExample>> built = new ArrayList<>();
        List<TrainingExample> row = new ArrayList<>();
        int rowLength = 0;
        for (int i : order) {
            TrainingExample e = examples.get(i);
            if (options.packing() && !row.isEmpty() && rowLength + e.length() > options.maxLength()) {
                built.add(row);
                row = new ArrayList<>();
                rowLength = 0;
            }
            row.add(e);
            rowLength += e.length();
            if (!options.packing()) {
                built.add(row);
                row = new ArrayList<>();
                rowLength = 0;
            }
        }
        if (!row.isEmpty()) {
            built.add(row);
        }
        return built;
    }

    @Override
    public TrainingBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int size = Math.min(options.batchSize(), rows.size() - next);
        List<List<TrainingExample>> batch = rows.subList(next, next + size);
        next += size;
        int length = 2;
        for (List<TrainingExample> r : batch) {
            length = Math.max(length, r.stream().mapToInt(TrainingExample::length).sum());
        }
        long[] ids = new long[size * length];
        long[] mask = new long[size * length];
        long[] labels = new long[size * length];
        Arrays.fill(ids, options.padId());
        Arrays.fill(labels, TrainingBatch.IGNORE_INDEX);
        for (int b = 0; b < size; b++) {
            int at = b * length;
            boolean first = true;
            for (TrainingExample e : batch.get(b)) {
                System.arraycopy(e.inputIds(), 0, ids, at, e.length());
                System.arraycopy(e.labels(), 0, labels, at, e.length());
                Arrays.fill(mask, at, at + e.length(), 1);
                if (!first && e.length() > 0) {
                    labels[at] = TrainingBatch.IGNORE_INDEX;
                }
                first = false;
                at += e.length();
            }
        }
        return new TrainingBatch(ids, mask, labels, size, length);
    }
}
