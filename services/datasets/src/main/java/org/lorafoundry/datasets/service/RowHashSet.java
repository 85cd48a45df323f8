package org.lorafoundry.datasets.service;

import java.util.Arrays;

/**
 * Open-addressing set of 128-bit row hashes that remembers the first row index of each: 20 bytes per slot, at most half
 * full, so about 40 bytes of heap per row. One instance holds one partition of the rows.
 */
final class RowHashSet {

    private final long[] high;
    private final long[] low;
    private final int[] first;
    private final int mask;

    RowHashSet(int expected) {
        int capacity = Integer.highestOneBit(Math.max(8, expected) * 2 - 1) << 1;
        high = new long[capacity];
        low = new long[capacity];
        first = new int[capacity];
        Arrays.fill(first, -1);
        mask = capacity - 1;
    }

    /** @return the index of the row seen first with this hash, or -1 when the hash is new (and now added) */
    int putIfAbsent(long h1, long h2, int row) {
        int slot = (int) (h1 ^ (h1 >>> 32)) & mask;
        while (first[slot] >= 0) {
            if (high[slot] == h1 && low[slot] == h2) {
                return first[slot];
            }
            slot = (slot + 1) & mask;
        }
        high[slot] = h1;
        low[slot] = h2;
        first[slot] = row;
        return -1;
    }
}
