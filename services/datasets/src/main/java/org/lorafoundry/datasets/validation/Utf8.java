package org.lorafoundry.datasets.validation;

/** Strict UTF-8 checking (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
public final class Utf8 {

    private Utf8() {
    }

    /**
     * @return -1 when {@code bytes[offset, offset + length)} is valid UTF-8, else the offset (relative to {@code offset})
     *         of the first byte of the first malformed sequence
     */
    public static int firstMalformed(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int lead = b & 0xff;
            int need;
            int min2;
            int max2 = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                need = 1;
                min2 = 0x80;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                need = 2;
                min2 = lead == 0xe0 ? 0xa0 : 0x80;
                max2 = lead == 0xed ? 0x9f : 0xbf;
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                need = 3;
                min2 = lead == 0xf0 ? 0x90 : 0x80;
                max2 = lead == 0xf4 ? 0x8f : 0xbf;
            } else {
                return i - offset;
            }
            if (i + need >= end) { // truncated sequence
                return i - offset;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < min2 || second > max2) {
                return i - offset;
            }
            for (int k = 2; k <= need; k++) {
                int next = bytes[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return i - offset;
                }
            }
            i += need + 1;
        }
        return -1;
    }
}
