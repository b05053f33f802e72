package dev.kiln.engine;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

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

    private final int[] dims;
    private final boolean summarize;
    private final Format format;

    /**
     * {@code shown}: the values printed, see {@link #ofShown}: a double[] of a floating tensor, a long[] of an integer
     * one (an I64 past 2^53 is no double).
     */
    private TensorRepr(Object shown, int[] dims) {
        this.dims = dims;
        this.summarize = summarized(dims);
        this.format = shown instanceof long[] longs ? new Format(longs) : new Format((double[]) shown);
    }

    /**
     * {@code tensor(VALUES, SUFFIXES)} of {@code values} (row-major, of shape {@code dims}) as PyTorch prints a tensor
     * of a floating dtype ({@code floating}) or an integer one.
     */
    static String of(double[] values, int[] dims, boolean floating, List<String> suffixes) {
        double[] shown = summarized(dims) ? shownOf(values, dims) : values;
        return ofShown(floating ? shown : Arrays.stream(shown).mapToLong(v -> (long) v).toArray(), dims, suffixes);
    }

    /**
     * As {@link #of} from only the values printed, row-major: all of them up to 1000 values, else those of the tensor
     * that keeps of each axis longer than 6 its first and last 3, so that a caller reads no more of a huge tensor than
     * is printed.
     */
    private static String ofShown(Object shown, int[] dims, List<String> suffixes) {
        boolean empty = Arrays.stream(dims).anyMatch(n -> n == 0);
        String body = empty ? "[]" : new TensorRepr(shown, dims).block(0, 0, INDENT);
        return withSuffixes(PREFIX + body, suffixes);
    }

    /**
     * PyTorch 1.13's {@code print(tensor)} of {@code t}, reading only the values printed; the suffixes as torch's:
     * {@code device='cuda:0'} off the CPU, {@code size=(...)} of an empty tensor not of shape [0], the dtype unless
     * F32 or a non-empty I64 (torch's defaults), then {@code grad_fn=<op>} with Kiln's op name (torch prints its backward node's
     * class, e.g. {@code MulBackward0}, which Kiln has not) or {@code requires_grad=True} of a leaf.
     */
    static String of(Tensor t) {
        int[] dims = t.shape().dims();
        List<String> suffixes = new ArrayList<>();
        if (!t.device().equals(Device.CPU)) {
            suffixes.add("device='" + t.device() + "'");
        }
        if (t.size() == 0 && dims.length != 1) {
            suffixes.add("size=" + pythonTuple(dims));
        }
        // Values show an I64 tensor's dtype (no decimals); an empty one names it.
        if (t.dtype() == DType.F64 || t.dtype() == DType.I32 || t.dtype() == DType.I64 && t.size() == 0) {
            suffixes.add("dtype=torch." + t.dtype().pytorchName());
        }
        if (t.gradFnName() != null) {
            suffixes.add("grad_fn=<" + t.gradFnName() + ">");
        } else if (t.requiresGrad()) {
            suffixes.add("requires_grad=True");
        }
        Object shown = t.dtype().isFloating() ? shownValues(t, Tensor::toDoubleArray) : shownValues(t, Tensor::toLongArray);
        return ofShown(shown, dims, suffixes);
    }

    /** Python's tuple of the sizes: {@code (2, 3)}, {@code (0,)}, {@code ()}. */
    private static String pythonTuple(int[] dims) {
        String[] sizes = Arrays.stream(dims).mapToObj(Integer::toString).toArray(String[]::new);
        return "(" + String.join(", ", sizes) + (dims.length == 1 ? ",)" : ")");
    }

    /** The values {@link #ofShown} prints of {@code t}: all, or of a summarised one each long axis's first and last 3. */
    private static <A> A shownValues(Tensor t, Function<Tensor, A> read) {
        int[] dims = t.shape().dims();
        if (!summarized(dims)) {
            return read.apply(t);
        }
        try (Autograd.Guard g = Autograd.noGrad()) {
            return Scope.outside(() -> {
                Tensor shown = t;
                for (int d = 0; d < dims.length; d++) {
                    if (dims[d] > 2 * EDGE_ITEMS) {
                        shown = edges(shown, d, dims[d], shown != t);
                    }
                }
                try {
                    return read.apply(shown);
                } finally {
                    if (shown != t) {
                        shown.close();
                    }
                }
            });
        }
    }

    /** The first and last 3 of axis {@code d} (of length {@code n}) of {@code x}, closing x where {@code owned}. */
    private static Tensor edges(Tensor x, int d, int n, boolean owned) {
        try (Tensor head = x.narrow(d, 0, EDGE_ITEMS); Tensor tail = x.narrow(d, n - EDGE_ITEMS, EDGE_ITEMS)) {
            return Tensor.cat(List.of(head, tail), d);
        } finally {
            if (owned) {
                x.close();
            }
        }
    }

    /** True where PyTorch summarises a tensor of shape {@code dims}: more than 1000 values. */
    private static boolean summarized(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n > THRESHOLD;
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

    /** The sub-tensor of dimensions {@code d} on from value {@code offset}, its lines indented by {@code indent}. */
    private String block(int d, long offset, int indent) {
        if (dims.length == 0) {
            return format.format(0);
        }
        long stride = stride(d);
        List<String> items = new ArrayList<>();
        for (int i : positions(d)) {
            if (i < 0) {
                items.add(d == dims.length - 1 ? " ..." : "...");
            } else if (d == dims.length - 1) {
                items.add(format.format((int) (offset + i)));
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

    /**
     * The positions, among the values shown, of axis {@code d}'s values, -1 where "..." stands: all, or of a summarised
     * axis longer than 6 the first 3, -1, the last 3.
     */
    private int[] positions(int d) {
        if (!cut(d)) {
            return IntStream.range(0, dims[d]).toArray();
        }
        return IntStream.rangeClosed(-EDGE_ITEMS, EDGE_ITEMS).map(i -> i < 0 ? i + EDGE_ITEMS : i == 0 ? -1 : i + 2)
                .toArray();
    }

    private boolean cut(int d) {
        return summarize && dims[d] > 2 * EDGE_ITEMS;
    }

    /** The distance between consecutive positions of axis {@code d} among the values shown. */
    private long stride(int d) {
        long s = 1;
        for (int k = d + 1; k < dims.length; k++) {
            s *= cut(k) ? 2 * EDGE_ITEMS : dims[k];
        }
        return s;
    }

    /** The values a summarised print shows of the full {@code values} ({@code get_summarized_data}), row-major. */
    private static double[] shownOf(double[] values, int[] dims) {
        List<Double> kept = new ArrayList<>();
        collect(values, dims, 0, 0, kept);
        return kept.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(double[] values, int[] dims, int d, long offset, List<Double> kept) {
        if (d == dims.length) {
            kept.add(values[(int) offset]);
            return;
        }
        long stride = 1;
        for (int k = d + 1; k < dims.length; k++) {
            stride *= dims[k];
        }
        int n = dims[d];
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                i = n - EDGE_ITEMS;
            }
            collect(values, dims, d + 1, offset + i * stride, kept);
        }
    }

    private static String exponent(int e) {
        return "e" + (e < 0 ? "-" : "+") + (Math.abs(e) < 10 ? "0" : "") + Math.abs(e);
    }

    /** PyTorch's {@code _Formatter}: one notation and width for every value printed. */
    private static final class Format {
        private final double[] values;
        private final long[] longs;
        private boolean integers = true;
        private boolean scientific;
        private int width = 1;

        /** Of an integer tensor's values. */
        Format(long[] longs) {
            this.values = null;
            this.longs = longs;
            for (long v : longs) {
                width = Math.max(width, Long.toString(v).length());
            }
        }

        /** Of a floating tensor's values. */
        Format(double[] values) {
            this.values = values;
            this.longs = null;
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

        /** The value at {@code index} of those shown in this format, padded on the left to the width. */
        String format(int index) {
            String s;
            if (longs != null) {
                return pad(Long.toString(longs[index]));
            }
            double v = values[index];
            if (scientific) {
                s = scientific(v);
            } else if (integers) {
                s = fixed(v, 0) + (Double.isFinite(v) ? "." : "");
            } else {
                s = fixed(v, PRECISION);
            }
            return pad(s);
        }

        private String pad(String s) {
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
