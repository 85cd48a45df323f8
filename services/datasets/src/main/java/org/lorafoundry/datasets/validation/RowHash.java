package org.lorafoundry.datasets.validation;

/**
 * 128-bit MurmurHash3 (x64 variant) of a normalised row: the identity used to find duplicate rows, and the input of the
 * seeded train/validation split. With 128 bits, two different rows share a hash with probability about n²/2¹²⁹
 * (for a billion rows: about 10⁻²¹), so rows with equal hashes are treated as equal.
 */
public final class RowHash {

    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private RowHash() {
    }

    /** @return {h1, h2} */
    public static long[] of(byte[] data, int offset, int length) {
        long h1 = 0;
        long h2 = 0;
        int blocks = length / 16;
        for (int i = 0; i < blocks; i++) {
            int at = offset + i * 16;
            long k1 = getLong(data, at);
            long k2 = getLong(data, at + 8);
            k1 *= C1;
            k1 = Long.rotateLeft(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Long.rotateLeft(h1, 27);
            h1 += h2;
            h1 = h1 * 5 + 0x52dce729;
            k2 *= C2;
            k2 = Long.rotateLeft(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Long.rotateLeft(h2, 31);
            h2 += h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0;
        long k2 = 0;
        int tail = offset + blocks * 16;
        switch (length & 15) {
            case 15: k2 ^= ((long) data[tail + 14] & 0xff) << 48; // fall through
            case 14: k2 ^= ((long) data[tail + 13] & 0xff) << 40; // fall through
            case 13: k2 ^= ((long) data[tail + 12] & 0xff) << 32; // fall through
            case 12: k2 ^= ((long) data[tail + 11] & 0xff) << 24; // fall through
            case 11: k2 ^= ((long) data[tail + 10] & 0xff) << 16; // fall through
            case 10: k2 ^= ((long) data[tail + 9] & 0xff) << 8; // fall through
            case 9:
                k2 ^= (long) data[tail + 8] & 0xff;
                k2 *= C2;
                k2 = Long.rotateLeft(k2, 33);
                k2 *= C1;
                h2 ^= k2;
                // fall through
            case 8: k1 ^= ((long) data[tail + 7] & 0xff) << 56; // fall through
            case 7: k1 ^= ((long) data[tail + 6] & 0xff) << 48; // fall through
            case 6: k1 ^= ((long) data[tail + 5] & 0xff) << 40; // fall through
            case 5: k1 ^= ((long) data[tail + 4] & 0xff) << 32; // fall through
            case 4: k1 ^= ((long) data[tail + 3] & 0xff) << 24; // fall through
            case 3: k1 ^= ((long) data[tail + 2] & 0xff) << 16; // fall through
            case 2: k1 ^= ((long) data[tail + 1] & 0xff) << 8; // fall through
            case 1:
                k1 ^= (long) data[tail] & 0xff;
                k1 *= C1;
                k1 = Long.rotateLeft(k1, 31);
                k1 *= C2;
                h1 ^= k1;
                break;
            default:
                break;
        }
        h1 ^= length;
        h2 ^= length;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;
        return new long[] {h1, h2};
    }

    /**
     * A number in [0, 1) that depends only on the row and the seed: the row goes to the validation split when it is below
     * the validation fraction. Independent of row order and of memory.
     */
    public static double splitValue(long seed, long h1, long h2) {
        long mixed = fmix(h1 ^ fmix(seed ^ 0x9e3779b97f4a7c15L) ^ Long.rotateLeft(h2, 17));
        return (mixed >>> 11) * 0x1.0p-53;
    }

    private static long getLong(byte[] data, int at) {
        return ((long) data[at] & 0xff) | ((long) data[at + 1] & 0xff) << 8 | ((long) data[at + 2] & 0xff) << 16
                | ((long) data[at + 3] & 0xff) << 24 | ((long) data[at + 4] & 0xff) << 32
                | ((long) data[at + 5] & 0xff) << 40 | ((long) data[at + 6] & 0xff) << 48
                | ((long) data[at + 7] & 0xff) << 56;
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
