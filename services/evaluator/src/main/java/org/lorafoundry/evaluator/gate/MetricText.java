package org.lorafoundry.evaluator.gate;

import java.math.BigDecimal;
import java.math.MathContext;

/** Numbers as people read them in threshold messages and reports: six significant digits, no trailing zeros. */
public final class MetricText {

    private static final MathContext SIGNIFICANT = new MathContext(6);

    private MetricText() {
    }

    public static String number(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "∞" : "-∞";
        }
        if (value == 0) {
            return "0";
        }
        return new BigDecimal(value).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
    }

    /** A change with its sign, e.g. {@code +0.2}, {@code -1.5}. */
    public static String signed(double value) {
        return value > 0 || (value == 0 && 1 / value > 0) ? "+" + number(value) : number(value);
    }

    /** A fraction as a signed percentage, e.g. 0.0412 as {@code +4.12%}. */
    public static String signedPercent(double fraction) {
        if (Double.isNaN(fraction) || Double.isInfinite(fraction)) {
            return signed(fraction);
        }
        return signed(fraction * 100) + "%";
    }
}
