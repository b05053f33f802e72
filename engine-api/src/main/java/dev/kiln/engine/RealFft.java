package dev.kiln.engine;

import java.util.Arrays;

/**
 * The backend's real-input FFT ({@link Backend#rfft}) and its adjoint, the real part of an inverse FFT
 * ({@link Backend#irfft}), as two recorded ops, each the other's gradient: with the same n, bins, Hermitian weights
 * and scale they are transposes of one real matrix. A backward pass that records its graph records the other op, so
 * that gradients of any order run the FFT too.
 */
final class RealFft {
    private RealFft() {
    }

    /** The first {@code bins} (at most n) of the forward DFT of real x [..., n], weighted as Backend#rfft says. */
    static Tensor forward(Tensor x, int bins, boolean hermitian, double scale) {
        int[] dims = Arrays.copyOf(x.shape().dims(), x.rank() + 1);
        dims[x.rank() - 1] = bins;
        dims[x.rank()] = 2;
        Tensor out = x.emptyLike(Shape.of(dims), x.dtype());
        x.backend().rfft(x, hermitian, scale, out);
        int n = x.dim(x.rank() - 1);
        out.record("rfft", new Tensor[] {x},
                Node.differentiable(g -> new Tensor[] {inverse(g, n, hermitian, scale)}));
        return out;
    }

    /** The n real points of c [..., m, 2]'s inverse DFT, weighted as Backend#irfft says: [..., n]. */
    static Tensor inverse(Tensor c, int n, boolean hermitian, double scale) {
        int[] dims = Arrays.copyOf(c.shape().dims(), c.rank() - 1);
        dims[c.rank() - 2] = n;
        Tensor out = c.emptyLike(Shape.of(dims), c.dtype());
        c.backend().irfft(c, hermitian, scale, out);
        int bins = c.dim(c.rank() - 2);
        out.record("irfft", new Tensor[] {c},
                Node.differentiable(g -> new Tensor[] {binsOf(g, bins, hermitian, scale)}));
        return out;
    }

    /**
     * irfft's gradient: rfft of the signal's gradient, bins past n (which irfft does not read) zero. Bins past n / 2
     * get zero weights from a Hermitian rfft already.
     */
    private static Tensor binsOf(Tensor g, int bins, boolean hermitian, double scale) {
        int n = g.dim(g.rank() - 1);
        if (bins <= n) {
            return forward(g, bins, hermitian, scale);
        }
        return FftComposite.resized(forward(g, n, hermitian, scale), g.rank() - 1, bins);
    }
}
