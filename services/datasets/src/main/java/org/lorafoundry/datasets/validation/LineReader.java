package org.lorafoundry.datasets.validation;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an input line by line with bounded memory: a line longer than {@code maxLineLength} bytes is skipped (and
 * flagged), never buffered, and reading stops once more than {@code maxBytes} bytes were read. Lines end at {@code \n}; a
 * {@code \r} before it is dropped, and a UTF-8 byte order mark at the very start is skipped.
 */
public final class LineReader {

    private static final int BUFFER = 1 << 16;

    private final InputStream in;
    private final int maxLineLength;
    private final long maxBytes;
    private final byte[] buffer = new byte[BUFFER];
    private int position;
    private int limit;
    private boolean eof;
    private boolean started;

    private byte[] line = new byte[8192];
    private int length;
    private boolean tooLong;
    private long lineNumber;
    private long bytesRead;
    private boolean sizeExceeded;

    public LineReader(InputStream in, int maxLineLength, long maxBytes) {
        this.in = in;
        this.maxLineLength = maxLineLength;
        this.maxBytes = maxBytes;
    }

    /**
     * Advances to the next line.
     *
     * @return false at the end of the input, or when the size limit was passed ({@link #sizeExceeded()})
     */
    public boolean next() throws IOException {
        if (sizeExceeded) {
            return false;
        }
        if (!started) {
            started = true;
            skipByteOrderMark();
        }
        length = 0;
        tooLong = false;
        boolean any = false;
        while (true) {
            if (position == limit && !fill()) {
                if (!any) {
                    return false;
                }
                break;
            }
            any = true;
            int start = position;
            int newline = -1;
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? limit : newline;
            append(start, end - start);
            position = newline < 0 ? limit : newline + 1;
            if (bytesRead - (limit - position) > maxBytes) {
                // This line takes the input past the limit: stop here, at this line.
                sizeExceeded = true;
                eof = true;
                lineNumber++;
                return false;
            }
            if (newline >= 0) {
                break;
            }
        }
        if (!tooLong && length > 0 && line[length - 1] == '\r') {
            length--;
        }
        lineNumber++;
        return true;
    }

    private void append(int from, int count) {
        if (tooLong || count == 0) {
            return;
        }
        if (length + count > maxLineLength + 1) { // +1: a trailing \r does not count
            tooLong = true;
            return;
        }
        if (length + count > line.length) {
            line = Arrays.copyOf(line, Math.min(Math.max(line.length * 2, length + count), maxLineLength + 1));
        }
        System.arraycopy(buffer, from, line, length, count);
        length += count;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        int read = in.read(buffer, 0, BUFFER);
        while (read == 0) {
            read = in.read(buffer, 0, BUFFER);
        }
        if (read < 0) {
            eof = true;
            return false;
        }
        bytesRead += read;
        position = 0;
        limit = read;
        return true;
    }

    private void skipByteOrderMark() throws IOException {
        while (limit - position < 3 && !eof) {
            // Gather the first three bytes (a stream may deliver fewer per read).
            int kept = limit - position;
            System.arraycopy(buffer, position, buffer, 0, kept);
            int read = in.read(buffer, kept, BUFFER - kept);
            if (read < 0) {
                eof = true;
                position = 0;
                limit = kept;
                break;
            }
            bytesRead += read;
            position = 0;
            limit = kept + read;
        }
        if (limit - position >= 3 && (buffer[position] & 0xff) == 0xef && (buffer[position + 1] & 0xff) == 0xbb
                && (buffer[position + 2] & 0xff) == 0xbf) {
            position += 3;
        }
    }

    /** The current line's bytes, {@code [0, length())}; valid until the next call of {@link #next()}. */
    public byte[] bytes() {
        return line;
    }

    public int length() {
        return length;
    }

    /** Whether the current line was longer than the limit (its bytes are then not available). */
    public boolean tooLong() {
        return tooLong;
    }

    /** 1-based number of the current line; after the size limit was passed, the line at which it happened. */
    public long lineNumber() {
        return lineNumber;
    }

    public long bytesRead() {
        return bytesRead;
    }

    public boolean sizeExceeded() {
        return sizeExceeded;
    }
}
