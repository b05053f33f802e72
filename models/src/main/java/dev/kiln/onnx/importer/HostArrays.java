package dev.kiln.onnx.importer;

import dev.kiln.engine.Shape;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * The ONNX ops an imported graph runs on host values ({@link OnnxValue#isHost()}): its shape arithmetic. Each op
 * works out, for every output element, which input element it copies, and copies integers or floating-point numbers
 * alike.
 */
final class HostArrays {
    private HostArrays() {
    }

    /** The element-wise {@code op} of two host values broadcast as NumPy does: integers if both are, else doubles. */
    static OnnxValue binary(String opType, OnnxValue a, OnnxValue b, LongBinaryOperator onLongs,
            DoubleBinaryOperator onDoubles) {
        int[] shape = Shape.broadcast(opType, Shape.of(a.shape()), Shape.of(b.shape())).dims();
        int[] fromA = broadcastIndex(a.shape(), shape);
        int[] fromB = broadcastIndex(b.shape(), shape);
        if (a.isInteger() && b.isInteger()) {
            long[] x = a.longs();
            long[] y = b.longs();
            long[] out = new long[fromA.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = onLongs.applyAsLong(x[fromA[i]], y[fromB[i]]);
            }
            return OnnxValue.ofLongs(shape, out);
        }
        double[] x = a.doubles();
        double[] y = b.doubles();
        double[] out = new double[fromA.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = onDoubles.applyAsDouble(x[fromA[i]], y[fromB[i]]);
        }
        return OnnxValue.ofDoubles(shape, out);
    }

    /** ONNX's Where of host values: {@code condition != 0 ? x : y}, broadcast; integers if x and y are. */
    static OnnxValue where(OnnxValue condition, OnnxValue x, OnnxValue y) {
        Shape xy = Shape.broadcast("Where", Shape.of(x.shape()), Shape.of(y.shape()));
        int[] shape = Shape.broadcast("Where", Shape.of(condition.shape()), xy).dims();
        int[] fromC = broadcastIndex(condition.shape(), shape);
        int[] fromX = broadcastIndex(x.shape(), shape);
        int[] fromY = broadcastIndex(y.shape(), shape);
        long[] c = condition.longs();
        if (x.isInteger() && y.isInteger()) {
            long[] a = x.longs();
            long[] b = y.longs();
            long[] out = new long[fromC.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = c[fromC[i]] != 0 ? a[fromX[i]] : b[fromY[i]];
            }
            return OnnxValue.ofLongs(shape, out);
        }
        double[] a = x.doubles();
        double[] b = y.doubles();
        double[] out = new double[fromC.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = c[fromC[i]] != 0 ? a[fromX[i]] : b[fromY[i]];
        }
        return OnnxValue.ofDoubles(shape, out);
    }

    /** For each element of {@code shape}, the element of {@code source} (right-aligned, size-1 axes repeated). */
    private static int[] broadcastIndex(int[] source, int[] shape) {
        int[] sourceStrides = strides(source);
        int offset = shape.length - source.length;
        return mapIndices(shape, coords -> {
            int at = 0;
            for (int k = 0; k < source.length; k++) {
                at += source[k] == 1 ? 0 : coords[offset + k] * sourceStrides[k];
            }
            return at;
        });
    }

    /** ONNX's Transpose of a host value. */
    static OnnxValue permute(OnnxValue v, int[] perm) {
        int[] in = v.shape();
        int[] inStrides = strides(in);
        int[] shape = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            shape[k] = in[perm[k]];
        }
        return pick(v, shape, mapIndices(shape, coords -> {
            int at = 0;
            for (int k = 0; k < perm.length; k++) {
                at += coords[k] * inStrides[perm[k]];
            }
            return at;
        }));
    }

    /** Elements {@code start[k] + i * step[k]} of each axis k, {@code shape[k]} of them. */
    static OnnxValue slice(OnnxValue v, int[] start, int[] step, int[] shape) {
        int[] inStrides = strides(v.shape());
        return pick(v, shape, mapIndices(shape, coords -> {
            int at = 0;
            for (int k = 0; k < shape.length; k++) {
                at += (start[k] + coords[k] * step[k]) * inStrides[k];
            }
            return at;
        }));
    }

    /** ONNX's Gather: the entries {@code indices} (already non-negative) of {@code axis}, in {@code indexShape}. */
    static OnnxValue gather(OnnxValue v, int axis, long[] indices, int[] indexShape) {
        int[] in = v.shape();
        Shape s = Shape.of(in);
        int outer = (int) s.outer(axis);
        int inner = (int) s.inner(axis);
        int[] shape = new int[in.length - 1 + indexShape.length];
        System.arraycopy(in, 0, shape, 0, axis);
        System.arraycopy(indexShape, 0, shape, axis, indexShape.length);
        System.arraycopy(in, axis + 1, shape, axis + indexShape.length, in.length - axis - 1);
        int[] from = new int[outer * indices.length * inner];
        int n = 0;
        for (int o = 0; o < outer; o++) {
            for (long index : indices) {
                for (int i = 0; i < inner; i++) {
                    from[n++] = (o * in[axis] + (int) index) * inner + i;
                }
            }
        }
        return pick(v, shape, from);
    }

    /** ONNX's Concat of host values along {@code axis}: integers if all are, else doubles. */
    static OnnxValue concat(List<OnnxValue> values, int axis) {
        int[] shape = values.get(0).shape();
        int outer = (int) Shape.of(shape).outer(axis);
        shape[axis] = values.stream().mapToInt(v -> v.shape()[axis]).sum();
        boolean integers = values.stream().allMatch(OnnxValue::isInteger);
        long[] longs = new long[OnnxValue.count(shape)];
        double[] doubles = new double[longs.length];
        int n = 0;
        for (int o = 0; o < outer; o++) {
            for (OnnxValue v : values) {
                int block = v.shape()[axis] * (int) Shape.of(v.shape()).inner(axis);
                long[] l = integers ? v.longs() : null;
                double[] d = integers ? null : v.doubles();
                for (int i = 0; i < block; i++, n++) {
                    if (integers) {
                        longs[n] = l[o * block + i];
                    } else {
                        doubles[n] = d[o * block + i];
                    }
                }
            }
        }
        return integers ? OnnxValue.ofLongs(shape, longs) : OnnxValue.ofDoubles(shape, doubles);
    }

    private static OnnxValue pick(OnnxValue v, int[] shape, int[] from) {
        if (v.isInteger()) {
            long[] in = v.longs();
            long[] out = new long[from.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = in[from[i]];
            }
            return OnnxValue.ofLongs(shape, out);
        }
        double[] in = v.doubles();
        double[] out = new double[from.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = in[from[i]];
        }
        return OnnxValue.ofDoubles(shape, out);
    }

    private interface CoordinateMap {
        int at(int[] coords);
    }

    /** {@code map} of the coordinates of every element of {@code shape}, in row-major order. */
    private static int[] mapIndices(int[] shape, CoordinateMap map) {
        int[] out = new int[OnnxValue.count(shape)];
        int[] coords = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = map.at(coords);
            for (int k = shape.length - 1; k >= 0; k--) {
                if (++coords[k] < shape[k]) {
                    break;
                }
                coords[k] = 0;
            }
        }
        return out;
    }

    private static int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int k = shape.length - 1; k >= 0; k--) {
            strides[k] = s;
            s *= shape[k];
        }
        return strides;
    }
}
