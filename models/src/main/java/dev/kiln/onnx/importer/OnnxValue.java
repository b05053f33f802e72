package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * A value of an imported ONNX graph while it runs: a {@link Tensor}, or a small array on the host. Shapes, indices,
 * pads and other constants stay on the host, so that the shape-computing parts of a graph (Shape, Gather, Concat
 * feeding a Reshape) are worked out in Java without a device round trip; a host value becomes a tensor where it meets
 * one. A host array holds integers ({@code long}) or floating-point numbers ({@code double}), row-major in
 * {@code shape}.
 */
final class OnnxValue {
    private final Tensor tensor;
    private final int[] shape;
    private final long[] longs;
    private final double[] doubles;

    private OnnxValue(Tensor tensor, int[] shape, long[] longs, double[] doubles) {
        this.tensor = tensor;
        this.shape = shape;
        this.longs = longs;
        this.doubles = doubles;
    }

    static OnnxValue of(Tensor tensor) {
        return new OnnxValue(tensor, null, null, null);
    }

    /** Host integers of {@code shape}; the arrays are taken over. */
    static OnnxValue ofLongs(int[] shape, long[] values) {
        checkCount(shape, values.length);
        return new OnnxValue(null, shape, values, null);
    }

    /** Host floating-point numbers of {@code shape}; the arrays are taken over. */
    static OnnxValue ofDoubles(int[] shape, double[] values) {
        checkCount(shape, values.length);
        return new OnnxValue(null, shape, null, values);
    }

    private static void checkCount(int[] shape, int count) {
        if (count(shape) != count) {
            throw new IllegalArgumentException("a host value of shape " + Arrays.toString(shape) + " needs "
                    + count(shape) + " elements, got " + count);
        }
    }

    static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    boolean isHost() {
        return tensor == null;
    }

    /** Host integers (true), or a tensor of an integer dtype. */
    boolean isInteger() {
        return tensor == null ? longs != null : !tensor.dtype().isFloating();
    }

    int[] shape() {
        return tensor == null ? shape.clone() : tensor.shape().dims();
    }

    int rank() {
        return tensor == null ? shape.length : tensor.rank();
    }

    /**
     * This value as a tensor: a tensor as it is; host integers as I64, host floating-point numbers in
     * {@code floatType}, the precision the graph runs in.
     */
    Tensor tensor(DType floatType) {
        if (tensor != null) {
            return tensor;
        }
        if (longs != null) {
            return Tensor.fromArray(longs, shape);
        }
        if (floatType == DType.F64) {
            return Tensor.fromArray(doubles, shape);
        }
        float[] f = new float[doubles.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) doubles[i];
        }
        return Tensor.fromArray(f, shape);
    }

    /** The tensor this value is, or null for a host value. */
    Tensor deviceTensor() {
        return tensor;
    }

    /** The elements as integers (floating-point numbers truncated toward zero), read back from a tensor if need be. */
    long[] longs() {
        if (longs != null) {
            return longs.clone();
        }
        if (doubles != null) {
            return Arrays.stream(doubles).mapToLong(d -> (long) d).toArray();
        }
        return tensor.dtype().isFloating() ? Arrays.stream(tensor.toDoubleArray()).mapToLong(d -> (long) d).toArray()
                : tensor.toLongArray();
    }

    /** The elements as floating-point numbers, read back from a tensor if need be. */
    double[] doubles() {
        if (doubles != null) {
            return doubles.clone();
        }
        if (longs != null) {
            return Arrays.stream(longs).asDoubleStream().toArray();
        }
        return tensor.toDoubleArray();
    }

    /** A host value with the same elements in {@code newShape} (as many elements). */
    OnnxValue withShape(int[] newShape) {
        return longs != null ? ofLongs(newShape, longs) : ofDoubles(newShape, doubles);
    }
}
