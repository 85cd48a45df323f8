package org.lorafoundry.datasets.service;

import org.lorafoundry.proto.v1.HistogramBucket;
import org.lorafoundry.proto.v1.LengthHistogram;

/**
 * Row lengths (characters) in constant memory: exact counts below {@value #EXACT} characters (so p50/p95 are exact
 * there), and power-of-two buckets ({@code [0,32), [32,64), ... , [2^20, ∞)}) for the histogram.
 */
final class LengthStatistics {

    static final int EXACT = 1 << 16;
    private static final int FIRST_BUCKET_BITS = 5; // [0, 32)
    private static final int LAST_BUCKET_BITS = 20; // [2^20, ∞)

    private final long[] exact = new long[EXACT];
    private final long[] buckets = new long[LAST_BUCKET_BITS - FIRST_BUCKET_BITS + 2];
    private long rows;
    private long total;
    private long min = Long.MAX_VALUE;
    private long max;

    void add(long length) {
        rows++;
        total += length;
        min = Math.min(min, length);
        max = Math.max(max, length);
        if (length < EXACT) {
            exact[(int) length]++;
        }
        buckets[bucket(length)]++;
    }

    long rows() {
        return rows;
    }

    long total() {
        return total;
    }

    private static int bucket(long length) {
        int bits = 64 - Long.numberOfLeadingZeros(length); // length < 2^bits
        return Math.max(0, Math.min(bits, LAST_BUCKET_BITS + 1) - FIRST_BUCKET_BITS);
    }

    private static long lower(int bucket) {
        return bucket == 0 ? 0 : 1L << (bucket + FIRST_BUCKET_BITS - 1);
    }

    private static long upper(int bucket) {
        return 1L << (bucket + FIRST_BUCKET_BITS);
    }

    /** The length at a quantile: exact below {@value #EXACT}, else the lower bound of its bucket. */
    long percentile(double quantile) {
        if (rows == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * rows));
        long seen = 0;
        for (int length = 0; length < EXACT; length++) {
            seen += exact[length];
            if (seen >= rank) {
                return length;
            }
        }
        long seenBuckets = 0;
        for (int b = 0; b < buckets.length; b++) {
            seenBuckets += buckets[b];
            if (seenBuckets >= rank) {
                return Math.max(EXACT, lower(b));
            }
        }
        return max;
    }

    LengthHistogram histogram(String unit) {
        LengthHistogram.Builder histogram = LengthHistogram.newBuilder().setUnit(unit)
                .setMin(rows == 0 ? 0 : min).setMax(max).setMean(rows == 0 ? 0 : (double) total / rows)
                .setP50(percentile(0.5)).setP95(percentile(0.95));
        if (rows == 0) {
            return histogram.build();
        }
        int last = bucket(max);
        for (int b = 0; b <= last; b++) {
            HistogramBucket.Builder bucket = HistogramBucket.newBuilder().setLowerInclusive(lower(b)).setCount(buckets[b]);
            if (b < buckets.length - 1) {
                bucket.setUpperExclusive(upper(b));
            }
            histogram.addBuckets(bucket);
        }
        return histogram.build();
    }
}
