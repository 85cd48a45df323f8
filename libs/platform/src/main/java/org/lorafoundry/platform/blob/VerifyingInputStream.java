package org.lorafoundry.platform.blob;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Digests what passes through and, at end of stream, compares size and SHA-256 with what was expected. */
final class VerifyingInputStream extends FilterInputStream {

    private final BlobRef expected;
    private final MessageDigest digest = Sha256.newDigest();
    private long size;
    private boolean verified;

    VerifyingInputStream(InputStream in, BlobRef expected) {
        super(in);
        this.expected = expected;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            verify();
        } else {
            digest.update((byte) b);
            size++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n < 0) {
            verify();
        } else {
            digest.update(buffer, offset, n);
            size += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must be digested too.
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void verify() throws BlobIntegrityException {
        if (verified) {
            return;
        }
        verified = true;
        if (size != expected.sizeBytes()) {
            throw new BlobIntegrityException("Blob " + expected.uri() + " has " + size + " bytes, expected "
                    + expected.sizeBytes());
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (!actual.equals(expected.sha256())) {
            throw new BlobIntegrityException("Blob " + expected.uri() + " has sha256 " + actual + ", expected "
                    + expected.sha256());
        }
    }
}
