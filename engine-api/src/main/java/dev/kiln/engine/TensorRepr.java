package dev.kiln.engine;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch 1.13's {@code repr} of a tensor ({@code torch/_tensor_str.py} with the default print options: precision 4,
 * line width 80, more than 1000 values summarised by their first and last 3 along each dimension): the values in
 * nested brackets, every one as wide as the widest, in fixed point, as integers with a trailing dot or in scientific
 * notation as the nonzero finite values ask, then the suffixes ({@code size=...}, {@code dtype=...}) on the last line
 * or a new one where it would pass 80 characters. Decimal digits are the exact binary values' rounded half to even, as
 * Python's {@code format} rounds them.
 */
final class TensorRepr {
    private static final int PRECISION = 4;
    private static final int LINE_WIDTH = 80;
    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final String PREFIX = "tensor(";
    private static final int INDENT = PREFIX.length();

    private final double[] values;
    private final int[] dims;
    private final boolean summarize;
    private final Format format;

    private TensorRepr(double[] values, int[] dims, boolean floating) {
        this.values = values;
        this.dims = dims;
        this.summarize = values.length > THRESHOLD;
        this.format = new Format(floating, summarize ? summarized() : values);
    }

    /**
     * {@code tensor(VALUES, SUFFIXES)} of {@code values} (row-major, of shape {@code dims}) as PyTorch prints a tensor
     * of a floating dtype ({@code floating}) or an integer one.
     */
    static String of(double[] values, int[] dims, boolean floating, List<String> suffixes) {
        String body = values.length == 0 ? "[]" : new TensorRepr(values, dims, floating).block(0, 0, INDENT);
        return withSuffixes(PREFIX + body, suffixes);
    }

    /** A double as Python's {@code repr} writes it: the shortest digits that read back as it, e.g. 0.1, 1e-05. */
    static String pythonFloat(double v) {
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
            return sign + mantissa + exponent(exponent);
        }
        String plain = shortest.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** Python's {@code _add_suffixes}: each suffix after ", " or, where the line would pass 80, on a new line. */
    private static String withSuffixes(String text, List<String> suffixes) {
        StringBuilder sb = new StringBuilder(text);
        int lastLine = text.length() - text.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLine + suffix.length() + 2 > LINE_WIDTH) {
                sb.append(",\n").append(" ".repeat(INDENT)).append(suffix);
                lastLine = INDENT + suffix.length();
            } else {
                sb.append(", ").append(suffix);
                lastLine += suffix.length() + 2;
            }
        }
        return sb.append(')').toString();
    }

    /** The sub-tensor of dimensions {@code d} on from value {@code offset}, its lines indented by {@code indent}. */
    private String block(int d, long offset, int indent) {
        if (dims.length == 0) {
            return format.format(values[0]);
        }
        long stride = stride(d);
        List<String> items = new ArrayList<>();
        for (int i : shown(dims[d])) {
            if (i < 0) {
                items.add(d == dims.length - 1 ? " ..." : "...");
            } else if (d == dims.length - 1) {
                items.add(format.format(values[(int) (offset + i)]));
            } else {
                items.add(block(d + 1, offset + i * stride, indent + 1));
            }
        }
        if (d < dims.length - 1) {
            String separator = "," + "\n".repeat(dims.length - 1 - d) + " ".repeat(indent + 1);
            return "[" + String.join(separator, items) + "]";
        }
        int perLine = Math.max(1, (LINE_WIDTH - indent) / (format.width + 2));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < items.size(); i += perLine) {
            lines.add(String.join(", ", items.subList(i, Math.min(items.size(), i + perLine))));
        }
        return "[" + String.join(",\n" + " ".repeat(indent + 1), lines) + "]";
    }

    /** The indices shown along a dimension of {@code n}: all, or the first and last 3 around -1 for "...". */
    private int[] shown(int n) {
        if (!summarize || n <= 2 * EDGE_ITEMS) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] edges = new int[2 * EDGE_ITEMS + 1];
        for (int i = 0; i < EDGE_ITEMS; i++) {
            edges[i] = i;
            edges[EDGE_ITEMS + 1 + i] = n - EDGE_ITEMS + i;
        }
        edges[EDGE_ITEMS] = -1;
        return edges;
    }

    /** The values a summarised print shows, which alone set its format ({@code get_summarized_data}). */
    private double[] summarized() {
        List<Double> kept = new ArrayList<>();
        collect(0, 0, kept);
        return kept.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private void collect(int d, long offset, List<Double> kept) {
        if (d == dims.length) {
            kept.add(values[(int) offset]);
            return;
        }
        for (int i : shown(dims[d])) {
            if (i >= 0) {
                collect(d + 1, offset + i * stride(d), kept);
            }
        }
    }

    private long stride(int d) {
        long s = 1;
        for (int k = d + 1; k < dims.length; k++) {
            s *= dims[k];
        }
        return s;
    }

    private static String exponent(int e) {
        return "e" + (e < 0 ? "-" : "+") + (Math.abs(e) < 10 ? "0" : "") + Math.abs(e);
    }

    /** PyTorch's {@code _Formatter}: one notation and width for every value printed. */
    private static final class Format {
        private final boolean floating;
        private boolean integers = true;
        private boolean scientific;
        private int width = 1;

        Format(boolean floating, double[] values) {
            this.floating = floating;
            if (!floating) {
                for (double v : values) {
                    width = Math.max(width, Long.toString((long) v).length());
                }
                return;
            }
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            List<Double> finite = new ArrayList<>();
            for (double v : values) {
                if (Double.isFinite(v) && v != 0) {
                    finite.add(v);
                    min = Math.min(min, Math.abs(v));
                    max = Math.max(max, Math.abs(v));
                    integers &= v == Math.ceil(v);
                }
            }
            if (finite.isEmpty()) {
                return;
            }
            scientific = max / min > 1000 || max > 1e8 || (!integers && min < 1e-4);
            for (double v : finite) {
                int length = scientific ? scientific(v).length()
                        : integers ? fixed(v, 0).length() + 1 : fixed(v, PRECISION).length();
                width = Math.max(width, length);
            }
        }

        /** {@code v} in this format, padded on the left to the width. */
        String format(double v) {
            String s;
            if (!floating) {
                s = Long.toString((long) v);
            } else if (scientific) {
                s = scientific(v);
            } else if (integers) {
                s = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
            } else {
                s = fixed(v, PRECISION);
            }
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }

        /** Python's {@code '{:.Nf}'}. */
        private static String fixed(double v, int decimals) {
            if (!Double.isFinite(v)) {
                return pythonNonFinite(v);
            }
            String sign = Math.copySign(1, v) < 0 ? "-" : "";
            return sign + new BigDecimal(Math.abs(v)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        }

        /** Python's {@code '{:.4e}'}. */
        private static String scientific(double v) {
            if (!Double.isFinite(v)) {
                return pythonNonFinite(v);
            }
            String sign = Math.copySign(1, v) < 0 ? "-" : "";
            if (v == 0) {
                return sign + "0." + "0".repeat(PRECISION) + "e+00";
            }
            BigDecimal rounded = new BigDecimal(Math.abs(v))
                    .round(new MathContext(PRECISION + 1, RoundingMode.HALF_EVEN));
            int e = rounded.precision() - rounded.scale() - 1;
            BigDecimal mantissa = rounded.movePointLeft(e).setScale(PRECISION, RoundingMode.HALF_EVEN);
            return sign + mantissa.toPlainString() + exponent(e);
        }

        private static String pythonNonFinite(double v) {
            return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }
    }
}
