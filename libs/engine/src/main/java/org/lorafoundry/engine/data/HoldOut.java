package org.lorafoundry.engine.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded validation hold-out of a JSONL file, for datasets without a validation split: the training side and the
 * evaluation side call this with the same fraction and seed and get the same rows, wherever they run.
 *
 * <p>Rule: the non-blank lines in file order are indexed, {@code Collections.shuffle(indices, new Random(seed))}, and the
 * first {@code round(n * fraction)} indices (at least 1, at most n - 1) are held out; both outputs keep file order.
 */
public final class HoldOut {

    /** Where the rows went. */
    public record Split(Path train, Path heldOut, int trainRows, int heldOutRows) {
    }

    private HoldOut() {
    }

    public static Split split(Path jsonl, double fraction, long seed, Path train, Path heldOut) throws IOException {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("hold-out fraction must be in (0, 1), got " + fraction);
        }
        List<String> rows = new ArrayList<>(Files.readAllLines(jsonl, StandardCharsets.UTF_8));
        rows.removeIf(String::isBlank);
        if (rows.size() < 2) {
            throw new DatasetException(jsonl + ": " + rows.size() + " row(s) cannot be split into training and "
                    + "validation rows");
        }
        int held = (int) Math.max(1, Math.min(rows.size() - 1, Math.round(rows.size() * fraction)));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        boolean[] isHeld = new boolean[rows.size()];
        order.subList(0, held).forEach(i -> isHeld[i] = true);
        try (BufferedWriter t = Files.newBufferedWriter(train, StandardCharsets.UTF_8);
             BufferedWriter v = Files.newBufferedWriter(heldOut, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows.size(); i++) {
                BufferedWriter out = isHeld[i] ? v : t;
                out.write(rows.get(i));
                out.write('\n');
            }
        }
        return new Split(train, heldOut, rows.size() - held, held);
    }
}
