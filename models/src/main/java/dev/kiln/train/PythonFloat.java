package dev.kiln.train;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * A double as Python's {@code repr} (and {@code str}) writes it: the fewest significant digits that read back as the
 * same double, in fixed notation with at least one decimal ({@code 0.01}, {@code 64.0}) while the decimal exponent is
 * from -4 to 15, else in scientific notation with a two-digit exponent at least ({@code 1e-05}, {@code 1e+16}).
 * PyTorch's TensorBoard files hold such text: the name of {@code add_hparams}'s run directory ({@code time.time()})
 * and the ONNX attribute values of {@code add_onnx_graph}.
 */
final class PythonFloat {
    private PythonFloat() {
    }

    static String repr(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return Double.doubleToRawLongBits(v) == 0 ? "0.0" : "-0.0";
        }
        BigDecimal shortest = shortest(v);
        String digits = shortest.unscaledValue().abs().toString();
        int exponent = shortest.precision() - shortest.scale() - 1;
        String sign = v < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
        }
        return sign + new BigDecimal(shortest.unscaledValue().abs(), shortest.scale()).toPlainString()
                + (shortest.scale() <= 0 ? ".0" : "");
    }

    /**
     * The nearest decimal of the fewest digits that reads back as {@code v}, trailing zeros stripped: the nearest
     * p-digit decimal reads back whenever any p-digit decimal does.
     */
    private static BigDecimal shortest(double v) {
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; ; p++) {
            BigDecimal rounded = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == v) {
                return rounded.stripTrailingZeros();
            }
        }
    }
}
