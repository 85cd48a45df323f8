package org.lorafoundry.datasets.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineReaderTest {

    @Test
    void splitsLinesDropsCarriageReturnsAndTheByteOrderMark() throws IOException {
        assertThat(lines("\uFEFFone\r\ntwo\n\nthree", 100, 1000)).containsExactly("one", "two", "", "three");
    }

    @Test
    void flagsLinesOverTheLimitWithoutKeepingThem() throws IOException {
        LineReader reader = reader("short\n" + "x".repeat(50) + "\nafter\n", 10, 1000);
        assertThat(reader.next()).isTrue();
        assertThat(reader.tooLong()).isFalse();
        assertThat(reader.next()).isTrue();
        assertThat(reader.tooLong()).isTrue();
        assertThat(reader.lineNumber()).isEqualTo(2);
        assertThat(reader.next()).isTrue();
        assertThat(new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8)).isEqualTo("after");
        assertThat(reader.lineNumber()).isEqualTo(3);
    }

    @Test
    void stopsAtTheLineThatPassesTheSizeLimit() throws IOException {
        LineReader reader = reader("1234\n5678\nabcd\nefgh\n", 100, 12);
        assertThat(reader.next()).isTrue();
        assertThat(reader.next()).isTrue();
        assertThat(reader.next()).isFalse();
        assertThat(reader.sizeExceeded()).isTrue();
        assertThat(reader.lineNumber()).isEqualTo(3);
    }

    @Test
    void readsStreamsThatDeliverOneByteAtATime() throws IOException {
        byte[] bytes = "\uFEFFa\nbc\n".getBytes(StandardCharsets.UTF_8);
        InputStream trickle = new InputStream() {
            private int position;

            @Override
            public int read() {
                return position < bytes.length ? bytes[position++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int next = read();
                if (next < 0) {
                    return -1;
                }
                b[off] = (byte) next;
                return 1;
            }
        };
        LineReader reader = new LineReader(trickle, 100, 1000);
        List<String> lines = new ArrayList<>();
        while (reader.next()) {
            lines.add(new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8));
        }
        assertThat(lines).containsExactly("a", "bc");
    }

    private static List<String> lines(String text, int maxLine, long maxBytes) throws IOException {
        LineReader reader = reader(text, maxLine, maxBytes);
        List<String> lines = new ArrayList<>();
        while (reader.next()) {
            lines.add(new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8));
        }
        return lines;
    }

    private static LineReader reader(String text, int maxLine, long maxBytes) {
        return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxLine, maxBytes);
    }
}
