package dev.kiln.onnx.importer;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * CumSum (exclusive and reverse as ONNX's), Range (on the host, as the shape arithmetic that feeds it runs), Tile and
 * Trilu, as {@link Tensor#cumsum}, {@link Tensor#tile}, {@link Tensor#tril} and {@link Tensor#triu} run them.
 */
final class ArrangeConverters {
    private ArrangeConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("CumSum", ArrangeConverters::cumsum);
        ops.put("Range", n -> (in, floatType) -> range(n, in));
        ops.put("Tile", ArrangeConverters::tile);
        ops.put("Trilu", ArrangeConverters::trilu);
    }

    /**
     * CumSum along the axis of input 1: reverse sums from the end, exclusive leaves each element out of its own sum
     * (the first sum 0).
     */
    private static OnnxStep cumsum(OnnxNode node) {
        boolean exclusive = node.intAttr("exclusive", 0) != 0;
        boolean reverse = node.intAttr("reverse", 0) != 0;
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int axis = ShapeConverters.axis(node, in[1].longs()[0], x.rank());
            Tensor sums = (reverse ? x.flip(axis) : x).cumsum(axis);
            if (exclusive && x.dim(axis) > 0) {
                // Shifted by one rather than less x, so that each sum holds exactly the elements before it.
                int[] first = sums.shape().dims();
                first[axis] = 1;
                sums = Tensor.cat(List.of(sums.fullLike(0, Shape.of(first)),
                        sums.narrow(axis, 0, x.dim(axis) - 1)), axis);
            }
            return OnnxValue.of(reverse ? sums.flip(axis) : sums);
        };
    }

    /**
     * Range: start, start + delta, ... up to limit (excluded), max(ceil((limit - start) / delta), 0) values; integers
     * when all three inputs are, else floating-point numbers.
     */
    private static OnnxValue range(OnnxNode node, OnnxValue[] in) {
        boolean integers = in[0].isInteger() && in[1].isInteger() && in[2].isInteger();
        double start = in[0].doubles()[0];
        double limit = in[1].doubles()[0];
        double delta = in[2].doubles()[0];
        if (delta == 0) {
            throw node.error("delta is 0");
        }
        int count = (int) Math.max(Math.ceil((limit - start) / delta), 0);
        if (integers) {
            long first = in[0].longs()[0];
            long step = in[2].longs()[0];
            long[] values = new long[count];
            Arrays.setAll(values, i -> first + i * step);
            return OnnxValue.ofLongs(new int[] {count}, values);
        }
        double[] values = new double[count];
        Arrays.setAll(values, i -> start + i * delta);
        return OnnxValue.ofDoubles(new int[] {count}, values);
    }

    /** Tile: {@code repeats[k]} copies along each axis k, one count per axis. */
    private static OnnxStep tile(OnnxNode node) {
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            long[] repeats = in[1].longs();
            if (repeats.length != x.rank()) {
                throw node.error("repeats " + Arrays.toString(repeats) + " must hold one count for each of the "
                        + x.rank() + " axes of " + x.shape());
            }
            return OnnxValue.of(x.tile(Arrays.stream(repeats).mapToInt(Math::toIntExact).toArray()));
        };
    }

    /** Trilu: the upper (upper 1, the default) or lower triangle of the last two axes, from diagonal k (input 1). */
    private static OnnxStep trilu(OnnxNode node) {
        boolean upper = node.intAttr("upper", 1) != 0;
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            if (x.rank() < 2) {
                throw node.error("input " + x.shape() + " has fewer than the 2 axes Trilu needs");
            }
            int k = in.length > 1 && in[1] != null ? Math.toIntExact(in[1].longs()[0]) : 0;
            return OnnxValue.of(upper ? x.triu(k) : x.tril(k));
        };
    }
}
