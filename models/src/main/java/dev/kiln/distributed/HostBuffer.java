package dev.kiln.distributed;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The values of one or more tensors of one dtype on the host, as the bytes that go over the wire (little-endian),
 * with the element-wise reductions a collective applies to a received range. A tensor of the buffer's dtype is
 * read by its backend's copy to the host straight into these bytes; tensors are written through the Tensor API, so
 * a tensor of any backend fits.
 */
final class HostBuffer {
    private final DType dtype;
    private final int length;
    private final ByteBuffer bytes;

    HostBuffer(DType dtype, int length) {
        this(dtype, length, ByteBuffer.allocate(Math.multiplyExact(length, dtype.bytes())));
    }

    private HostBuffer(DType dtype, int length, ByteBuffer bytes) {
        this.dtype = dtype;
        this.length = length;
        this.bytes = bytes.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A buffer holding {@code t}'s values. */
    static HostBuffer of(Tensor t) {
        HostBuffer b = new HostBuffer(t.dtype(), Math.toIntExact(t.size()));
        b.read(t, 0);
        return b;
    }

    DType dtype() {
        return dtype;
    }

    int length() {
        return length;
    }

    /** The wire bytes; element {@code i} starts at byte {@code i * dtype.bytes()}. */
    byte[] array() {
        return bytes.array();
    }

    /** Copies {@code t}'s values (converted to this buffer's dtype) into elements {@code [at, at + t.size())}. */
    void read(Tensor t, int at) {
        if (t.dtype() == dtype) {
            // Straight from the tensor's memory into the wire bytes: no Java array between them.
            t.backend().copyToHost(t, elements(at, Math.toIntExact(t.size())));
            return;
        }
        switch (dtype) {
            case F32 -> bytes.asFloatBuffer().put(at, t.toFloatArray());
            case F64 -> bytes.asDoubleBuffer().put(at, t.toDoubleArray());
            case I32 -> bytes.asIntBuffer().put(at, t.toIntArray());
            case I64 -> bytes.asLongBuffer().put(at, t.toLongArray());
        }
    }

    /** A view of elements {@code [at, at + count)} as a buffer of this dtype (what a backend copies into). */
    private Buffer elements(int at, int count) {
        return switch (dtype) {
            case F32 -> bytes.asFloatBuffer().slice(at, count);
            case F64 -> bytes.asDoubleBuffer().slice(at, count);
            case I32 -> bytes.asIntBuffer().slice(at, count);
            case I64 -> bytes.asLongBuffer().slice(at, count);
        };
    }

    /** Adds {@code t}'s values to elements {@code [at, at + t.size())}, as the autograd's accumulation would. */
    void add(Tensor t, int at) {
        HostBuffer other = of(t);
        other.combineInto(this, at, ReduceOp.SUM);
    }

    /** A new tensor of elements {@code [at, at + product(dims))} in the shape {@code dims}. */
    Tensor toTensor(int at, int... dims) {
        int n = 1;
        for (int d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return switch (dtype) {
            case F32 -> {
                float[] v = new float[n];
                bytes.asFloatBuffer().get(at, v);
                yield Tensor.fromArray(v, dims);
            }
            case F64 -> {
                double[] v = new double[n];
                bytes.asDoubleBuffer().get(at, v);
                yield Tensor.fromArray(v, dims);
            }
            case I32 -> {
                int[] v = new int[n];
                bytes.asIntBuffer().get(at, v);
                yield Tensor.fromArray(v, dims);
            }
            case I64 -> {
                long[] v = new long[n];
                bytes.asLongBuffer().get(at, v);
                yield Tensor.fromArray(v, dims);
            }
        };
    }

    /** Overwrites {@code t} in place with elements {@code [at, at + t.size())} (a leaf's values or gradient). */
    void writeTo(Tensor t, int at) {
        try (Tensor values = toTensor(at, t.shape().dims()); var noGrad = Autograd.noGrad()) {
            t.assign(values);
        }
    }

    /** Combines {@code count} elements received in {@code wire} into elements {@code [at, at + count)}. */
    void combine(int at, int count, byte[] wire, ReduceOp op) {
        new HostBuffer(dtype, count, ByteBuffer.wrap(wire, 0, count * dtype.bytes())).combineInto(this, at, op);
    }

    /** {@code target[at + i] = op(target[at + i], this[i])} for every element of this buffer (AVG sums). */
    private void combineInto(HostBuffer target, int at, ReduceOp op) {
        switch (dtype) {
            case F32 -> {
                var src = bytes.asFloatBuffer();
                var dst = target.bytes.asFloatBuffer();
                for (int i = 0; i < length; i++) {
                    float a = dst.get(at + i);
                    float b = src.get(i);
                    dst.put(at + i, switch (op) {
                        case SUM, AVG -> a + b;
                        case PRODUCT -> a * b;
                        case MAX -> Math.max(a, b);
                        case MIN -> Math.min(a, b);
                    });
                }
            }
            case F64 -> {
                var src = bytes.asDoubleBuffer();
                var dst = target.bytes.asDoubleBuffer();
                for (int i = 0; i < length; i++) {
                    double a = dst.get(at + i);
                    double b = src.get(i);
                    dst.put(at + i, switch (op) {
                        case SUM, AVG -> a + b;
                        case PRODUCT -> a * b;
                        case MAX -> Math.max(a, b);
                        case MIN -> Math.min(a, b);
                    });
                }
            }
            case I32 -> {
                var src = bytes.asIntBuffer();
                var dst = target.bytes.asIntBuffer();
                for (int i = 0; i < length; i++) {
                    int a = dst.get(at + i);
                    int b = src.get(i);
                    dst.put(at + i, switch (op) {
                        case SUM, AVG -> a + b;
                        case PRODUCT -> a * b;
                        case MAX -> Math.max(a, b);
                        case MIN -> Math.min(a, b);
                    });
                }
            }
            case I64 -> {
                var src = bytes.asLongBuffer();
                var dst = target.bytes.asLongBuffer();
                for (int i = 0; i < length; i++) {
                    long a = dst.get(at + i);
                    long b = src.get(i);
                    dst.put(at + i, switch (op) {
                        case SUM, AVG -> a + b;
                        case PRODUCT -> a * b;
                        case MAX -> Math.max(a, b);
                        case MIN -> Math.min(a, b);
                    });
                }
            }
        }
    }

    /** Divides elements {@code [at, at + count)} by {@code divisor} (an average's last step; F32 and F64 only). */
    void divide(int at, int count, int divisor) {
        if (dtype == DType.F32) {
            var v = bytes.asFloatBuffer();
            for (int i = at; i < at + count; i++) {
                v.put(i, v.get(i) / divisor);
            }
        } else {
            var v = bytes.asDoubleBuffer();
            for (int i = at; i < at + count; i++) {
                v.put(i, v.get(i) / divisor);
            }
        }
    }
}
