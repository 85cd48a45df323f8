package org.lorafoundry.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void bf16WideningIsExactlyTheUpperHalfOfAFloat() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.bf16ToFloat((short) bits);
            assertThat(Float.floatToRawIntBits(f)).isEqualTo(bits << 16);
            if (!Float.isNaN(f)) {
                assertThat(HalfFloats.floatToBf16(f)).isEqualTo((short) bits);
            }
        }
    }

    @Test
    void f16WideningRoundTripsEveryValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.halfToFloat((short) bits);
            if ((bits & 0x7c00) == 0x7c00 && (bits & 0x3ff) != 0) {
                assertThat(f).isNaN();
                assertThat(HalfFloats.floatToHalf(f) & 0x7c00).isEqualTo(0x7c00);
                continue;
            }
            assertThat(HalfFloats.floatToHalf(f)).as("bits %04x -> %s", bits, f).isEqualTo((short) bits);
        }
    }

    @Test
    void f16KnownValues() {
        assertThat(HalfFloats.halfToFloat((short) 0x3c00)).isEqualTo(1.0f);
        assertThat(HalfFloats.halfToFloat((short) 0x7bff)).isEqualTo(65504f);
        assertThat(HalfFloats.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(HalfFloats.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(HalfFloats.halfToFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(HalfFloats.halfToFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.floatToHalf(65519.99f)).isEqualTo((short) 0x7bff);
        assertThat(HalfFloats.floatToHalf(65520f)).isEqualTo((short) 0x7c00);
        assertThat(HalfFloats.floatToHalf(0x1p-25f)).isEqualTo((short) 0); // tie to even: zero
        assertThat(HalfFloats.floatToHalf(Math.nextUp(0x1p-25f))).isEqualTo((short) 1);
        assertThat(HalfFloats.floatToHalf(-0f)).isEqualTo((short) 0x8000);
        assertThat(HalfFloats.floatToBf16(Float.NaN) & 0x7fc0).isEqualTo(0x7fc0);
    }

    @Test
    void narrowingPicksTheNearestValueTiesToEven() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            checkNearest(f, HalfFloats.halfToFloat(HalfFloats.floatToHalf(f)), true);
            checkNearest(f, HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(f)), false);
        }
    }

    private static void checkNearest(float f, float rounded, boolean half) {
        if (Float.isInfinite(rounded) && !Float.isInfinite(f)) {
            float max = half ? 65504f : Float.intBitsToFloat(0x7f7f0000);
            double ulp = half ? 32 : Math.ulp(max) * 65536.0;
            assertThat(Math.abs((double) f)).as("overflow of %s", f).isGreaterThanOrEqualTo(max + ulp / 2 - 1e-3);
            return;
        }
        // No representable neighbour is closer: step one unit either way in the narrow format.
        short bits = half ? HalfFloats.floatToHalf(f) : HalfFloats.floatToBf16(f);
        double err = Math.abs((double) f - rounded);
        for (int delta : new int[] {-1, 1}) {
            short nb = (short) (bits + delta);
            float other = half ? HalfFloats.halfToFloat(nb) : HalfFloats.bf16ToFloat(nb);
            if (Float.isNaN(other) || Math.signum(other) != Math.signum(rounded) && rounded != 0) {
                continue;
            }
            double otherErr = Math.abs((double) f - other);
            assertThat(err).as("%s rounded to %s, but %s is closer", f, rounded, other).isLessThanOrEqualTo(otherErr);
            if (err == otherErr) {
                assertThat(bits & 1).as("tie of %s must go to even", f).isZero();
            }
        }
    }
}
