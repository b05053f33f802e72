package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.Buffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/** Fills, host transfers, conversions, slice copies and permutations. */
final class CpuCopy {
    private final Parallel parallel;

    CpuCopy(Parallel parallel) {
        this.parallel = parallel;
    }

    void fill(Tensor out, double value) {
        CpuStorage s = (CpuStorage) out.storage();
        int from = CpuElementwise.offset(out);
        int to = from + Math.toIntExact(out.size());
        switch (out.dtype()) {
            case F32 -> fillFloats(s.f32, from, to, (float) value);
            case F64 -> fillDoubles(s.f64, from, to, value);
            case I32 -> {
                for (int i = from; i < to; i++) {
                    s.i32.put(i, (int) value);
                }
            }
            case I64 -> {
                for (int i = from; i < to; i++) {
                    s.i64.put(i, (long) value);
                }
            }
        }
    }

    /**
     * Bulk copies of a filled chunk: a put per element costs 0.26 ns (17 us for a [128, 512] tensor), a bulk
     * copy is a memcpy.
     */
    static void fillFloats(FloatBuffer b, int from, int to, float v) {
        float[] chunk = Chunks.scratch()[0];
        Arrays.fill(chunk, v);
        for (int i = from; i < to; i += chunk.length) {
            b.put(i, chunk, 0, Math.min(chunk.length, to - i));
        }
    }

    private static void fillDoubles(DoubleBuffer b, int from, int to, double v) {
        double[] chunk = new double[Math.min(Chunks.SIZE, Math.max(0, to - from))];
        Arrays.fill(chunk, v);
        for (int i = from; i < to; i += chunk.length) {
            b.put(i, chunk, 0, Math.min(chunk.length, to - i));
        }
    }

    void copyFromHost(Buffer src, Tensor dst) {
        CpuStorage s = (CpuStorage) dst.storage();
        int at = CpuElementwise.offset(dst);
        switch (dst.dtype()) {
            case F32 -> s.f32.duplicate().position(at).put((FloatBuffer) src.duplicate());
            case F64 -> s.f64.duplicate().position(at).put((DoubleBuffer) src.duplicate());
            case I32 -> s.i32.duplicate().position(at).put((IntBuffer) src.duplicate());
            case I64 -> s.i64.duplicate().position(at).put((LongBuffer) src.duplicate());
        }
    }

    void copyToHost(Tensor src, Buffer dst) {
        CpuStorage s = (CpuStorage) src.storage();
        int at = CpuElementwise.offset(src);
        int n = Math.toIntExact(src.size());
        switch (src.dtype()) {
            case F32 -> ((FloatBuffer) dst.duplicate()).put(s.f32.duplicate().position(at).limit(at + n));
            case F64 -> ((DoubleBuffer) dst.duplicate()).put(s.f64.duplicate().position(at).limit(at + n));
            case I32 -> ((IntBuffer) dst.duplicate()).put(s.i32.duplicate().position(at).limit(at + n));
            case I64 -> ((LongBuffer) dst.duplicate()).put(s.i64.duplicate().position(at).limit(at + n));
        }
    }

    void copy(Tensor src, Tensor dst) {
        int n = Math.toIntExact(src.size());
        if (src.dtype() == dst.dtype()) {
            copyRun(src, CpuElementwise.offset(src), dst, CpuElementwise.offset(dst), n);
            return;
        }
        if (src.dtype() == DType.I64) {
            copyFromI64(src, dst, n);
            return;
        }
        Data sd = Data.of(src);
        Data dd = Data.of(dst);
        boolean toInteger = !dst.dtype().isFloating();
        parallel.forRange(n, 4, (s, e) -> {
            for (int i = s; i < e; i++) {
                double v = sd.get(i);
                dd.set(i, toInteger ? truncate(v) : v);
            }
        });
    }

    /**
     * I64 to another dtype as Java's casts do it: to I32 by keeping the low 32 bits, to F32 rounded once. Going
     * through double would saturate the first and round the second twice (2^60 + 2^36 + 1 would become 2^60).
     */
    private void copyFromI64(Tensor src, Tensor dst, int n) {
        LongBuffer from = ((CpuStorage) src.storage()).i64;
        CpuStorage to = (CpuStorage) dst.storage();
        int s0 = CpuElementwise.offset(src);
        int d0 = CpuElementwise.offset(dst);
        parallel.forRange(n, 4, (s, e) -> {
            for (int i = s; i < e; i++) {
                long v = from.get(s0 + i);
                switch (dst.dtype()) {
                    case I32 -> to.i32.put(d0 + i, (int) v);
                    case F32 -> to.f32.put(d0 + i, (float) v);
                    case F64 -> to.f64.put(d0 + i, (double) v);
                }
            }
        });
    }

    private static double truncate(double v) {
        return v < 0 ? Math.ceil(v) : Math.floor(v);
    }

    /** Copies {@code n} elements of one dtype between absolute storage positions (a memcpy). */
    private static void copyRun(Tensor src, int from, Tensor dst, int to, int n) {
        CpuStorage s = (CpuStorage) src.storage();
        CpuStorage d = (CpuStorage) dst.storage();
        switch (src.dtype()) {
            case F32 -> d.f32.duplicate().position(to).put(s.f32.duplicate().position(from).limit(from + n));
            case F64 -> d.f64.duplicate().position(to).put(s.f64.duplicate().position(from).limit(from + n));
            case I32 -> d.i32.duplicate().position(to).put(s.i32.duplicate().position(from).limit(from + n));
            case I64 -> d.i64.duplicate().position(to).put(s.i64.duplicate().position(from).limit(from + n));
        }
    }

    void copySlices(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        int outer = (int) src.shape().outer(axis);
        int inner = (int) src.shape().inner(axis);
        int srcN = src.dim(axis);
        int dstN = dst.dim(axis);
        int run = length * inner;
        int s0 = CpuElementwise.offset(src);
        int d0 = CpuElementwise.offset(dst);
        for (int o = 0; o < outer; o++) {
            copyRun(src, s0 + (o * srcN + srcStart) * inner, dst, d0 + (o * dstN + dstStart) * inner, run);
        }
    }

    void permute(Tensor src, int[] perm, Tensor out) {
        long[] srcStrides = src.shape().strides();
        long[] stride = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            stride[i] = srcStrides[perm[i]];
        }
        StridedCopy.copy((CpuStorage) src.storage(), CpuElementwise.offset(src), out.shape().dims(), stride,
                (CpuStorage) out.storage(), CpuElementwise.offset(out), parallel);
    }
}
