package dev.kiln.nn;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Values as Python writes them in PyTorch 1.13's module reprs ({@link Module#extraRepr()}). */
final class PythonRepr {
    private PythonRepr() {
    }

    /** {@code True} or {@code False}. */
    static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /** Python's {@code repr} of a float: the shortest digits that read back as it, e.g. 0.1, 1e-05, 1.0. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        String sign = Math.copySign(1, v) < 0 ? "-" : "";
        if (Double.isInfinite(v)) {
            return sign + "inf";
        }
        if (v == 0) {
            return sign + "0.0";
        }
        BigDecimal exact = new BigDecimal(Math.abs(v));
        BigDecimal shortest = exact;
        for (int digits = 1; digits <= 17; digits++) {
            shortest = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (shortest.doubleValue() == Math.abs(v)) {
                break;
            }
        }
        shortest = shortest.stripTrailingZeros();
        int exponent = shortest.precision() - shortest.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = shortest.unscaledValue().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "")
                    + Math.abs(exponent);
        }
        String plain = shortest.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** A Python tuple of ints: {@code (3,)}, {@code (5, 5)}. */
    static String tuple(int... v) {
        String items = Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(", "));
        return "(" + items + (v.length == 1 ? ",)" : ")");
    }

    /**
     * One int where every axis has it, else a tuple: how a layer built from one int per axis prints, PyTorch printing
     * the argument as given (Kiln keeps no record of whether it was an int).
     */
    static String intOrTuple(int... v) {
        return Arrays.stream(v).allMatch(x -> x == v[0]) ? Integer.toString(v[0]) : tuple(v);
    }

    /** Python's {@code _addindent}: every line but the first indented by {@code spaces}. */
    static String indent(String s, int spaces) {
        return s.replace("\n", "\n" + " ".repeat(spaces));
    }
}
