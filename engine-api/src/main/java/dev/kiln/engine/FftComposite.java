package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * {@link Backend#rfft}'s and {@link Backend#irfft}'s defaults: the backend's complex {@link Backend#fft} of the real
 * rows given zero imaginary parts, or of the bins trimmed or zero-padded to n, with the pairs' real parts, bins and
 * Hermitian weights taken by Tensor ops, run with gradients off inside a scope that frees them.
 */
final class FftComposite {
    private FftComposite() {
    }

    static void rfft(Tensor x, boolean hermitian, double scale, Tensor out) {
        int n = x.dim(x.rank() - 1);
        int bins = out.dim(out.rank() - 2);
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Tensor complex = F.pad(x.unsqueeze(x.rank()), 0, 1);
            Tensor spectrum = complex.emptyLike(complex.shape(), complex.dtype());
            x.backend().fft(complex, false, scale, spectrum);
            Tensor first = resized(spectrum, x.rank() - 1, bins);
            out.backend().copy(hermitian ? first.mul(weights(x, bins, n)) : first, out);
        }
    }

    static void irfft(Tensor c, boolean hermitian, double scale, Tensor out) {
        int axis = c.rank() - 2;
        int n = out.dim(out.rank() - 1);
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Tensor kept = resized(c, axis, Math.min(c.dim(axis), n));
            Tensor weighted = hermitian ? kept.mul(weights(c, kept.dim(axis), n)) : kept;
            Tensor full = resized(weighted, axis, n);
            Tensor signal = full.emptyLike(full.shape(), full.dtype());
            c.backend().fft(full, true, scale, signal);
            out.backend().copy(signal.narrow(axis + 1, 0, 1).reshape(out.shape().dims()), out);
        }
    }

    /** The Hermitian weights of bins 0 to count - 1 of n points, [count, 1] on like's backend (see Backend#rfft). */
    private static Tensor weights(Tensor like, int count, int n) {
        double[] weights = new double[count];
        for (int k = 0; k < count; k++) {
            weights[k] = k == 0 || 2 * k == n ? 1 : 2 * k < n ? 2 : 0;
        }
        Tensor w = like.emptyLike(Shape.of(count, 1), like.dtype());
        if (like.dtype() == DType.F64) {
            like.backend().copyFromHost(DoubleBuffer.wrap(weights), w);
        } else {
            float[] floats = new float[count];
            for (int k = 0; k < count; k++) {
                floats[k] = (float) weights[k];
            }
            like.backend().copyFromHost(FloatBuffer.wrap(floats), w);
        }
        return w;
    }

    /** t trimmed or zero-padded at the end of {@code axis} to {@code size}. */
    static Tensor resized(Tensor t, int axis, int size) {
        int length = t.dim(axis);
        if (length >= size) {
            return length == size ? t : t.narrow(axis, 0, size);
        }
        int[] pads = new int[2 * (t.rank() - axis)];
        pads[pads.length - 1] = size - length;
        return F.pad(t, pads);
    }
}
