package dev.kiln.distributed;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The values of one or more tensors of one dtype on the host, as the bytes that go over the wire (little-endian),
 * with the element-wise reductions a collective applies to a received range. Tensors are read into and written from
 * these bytes by their backend's host copies ({@link Tensor#copyTo(ByteBuffer)}, {@link Tensor#copyFrom(ByteBuffer)}),
 * with no Java array between, so a tensor of any backend fits.
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
            t.copyTo(elements(at, t.size()));
            return;
        }
        try (Tensor converted = t.to(dtype)) {
            converted.copyTo(elements(at, t.size()));
        }
    }

    /** Elements {@code [at, at + count)} as a byte buffer of their own, positioned at the first (what is copied). */
    private ByteBuffer elements(int at, long count) {
        int bytesPer = dtype.bytes();
        return bytes.slice(at * bytesPer, Math.toIntExact(count * bytesPer)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Adds {@code t}'s values to elements {@code [at, at + t.size())}, as the autograd's accumulation would. */
    void add(Tensor t, int at) {
        HostBuffer other = of(t);
        other.combineInto(this, at, ReduceOp.SUM);
    }

    /** A new tensor of elements {@code [at, at + product(dims))} in the shape {@code dims}. */
    Tensor toTensor(int at, int... dims) {
        Tensor t = Tensor.zeros(dtype, dims);
        t.copyFrom(elements(at, t.size()));
        return t;
    }

    /** Overwrites {@code t} (of this buffer's dtype) in place with elements {@code [at, at + t.size())}. */
    void writeTo(Tensor t, int at) {
        try (var noGrad = Autograd.noGrad()) {
            t.copyFrom(elements(at, t.size()));
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
