package org.lorafoundry.datasets.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void acceptsWellFormedText() {
        byte[] text = "plain, café, 日本語, 😀".getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstMalformed(text, 0, text.length)).isEqualTo(-1);
    }

    @Test
    void findsTheFirstMalformedSequence() {
        assertThat(at(0x41, 0xe9, 0x41)).isEqualTo(1); // Latin-1 é
        assertThat(at(0xc0, 0xaf)).isZero(); // overlong '/'
        assertThat(at(0xe0, 0x80, 0xaf)).isZero(); // overlong three-byte form
        assertThat(at(0xed, 0xa0, 0x80)).isZero(); // UTF-16 surrogate
        assertThat(at(0xf4, 0x90, 0x80, 0x80)).isZero(); // above U+10FFFF
        assertThat(at(0x41, 0xe6, 0x97)).isEqualTo(1); // truncated at the end
        assertThat(at(0xff)).isZero();
    }

    private static int at(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return Utf8.firstMalformed(bytes, 0, bytes.length);
    }
}
