package dev.kiln.engine;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The one-axis transforms behind {@link Fft}: the transform axis moved last, trimmed or zero-padded to the signal
 * length, transformed by the backend's FFT ({@link ComplexFft}, {@link RealFft}), the axis moved back. A complex
 * tensor is PyTorch's {@code view_as_real} form [..., 2]: its "logical" axes are all but the trailing pair, and
 * {@code dim} counts among them. Composed of recorded ops, so differentiable to any order.
 */
final class FftOps {
    private FftOps() {
    }

    static Tensor rfft(String op, Tensor x, int n, int dim, String norm, boolean onesided) {
        Checks.open(op, x);
        Checks.floating(op, x);
        int a = logicalAxis(op, x, dim, false);
        int points = points(op, n, x.dim(a));
        int bins = onesided ? points / 2 + 1 : points;
        double scale = scale(op, norm, points, false);
        int last = x.rank() - 1;
        return Composite.composed(() -> {
            Tensor spectrum = realSpectrum(FftComposite.resized(moved(x, a, last), last, points), bins, scale);
            return moved(spectrum, last, a);
        }, x);
    }

    static Tensor irfft(String op, Tensor c, int n, int dim, String norm) {
        checkComplex(op, c);
        int a = logicalAxis(op, c, dim, true);
        int points = points(op, n, 2 * (c.dim(a) - 1));
        double scale = scale(op, norm, points, true);
        int last = c.rank() - 2;
        return Composite.composed(() -> moved(realSignal(moved(c, a, last), points, scale), last, a), c);
    }

    static Tensor fft(String op, Tensor c, int n, int dim, String norm, boolean inverse) {
        checkComplex(op, c);
        int a = logicalAxis(op, c, dim, true);
        int points = points(op, n, c.dim(a));
        double scale = scale(op, norm, points, inverse);
        int last = c.rank() - 2;
        return Composite.composed(() -> moved(ComplexFft.transform(
                FftComposite.resized(moved(c, a, last), last, points), inverse, scale), last, a), c);
    }

    /** The first {@code bins} (at most n) of the scaled forward DFT of real x [..., n] along its last axis. */
    static Tensor realSpectrum(Tensor x, int bins, double scale) {
        return RealFft.forward(x, bins, false, scale);
    }

    /**
     * The n real points whose one-sided spectrum is c [..., m, 2] along its last logical axis, scaled: [..., n], bins
     * past n / 2 ignored, missing ones zeros, and the imaginary parts of bin 0 and an even n's n / 2 ignored, as
     * PyTorch's irfft.
     */
    static Tensor realSignal(Tensor c, int n, double scale) {
        return RealFft.inverse(c, n, true, scale);
    }

    /** t with axis {@code from} moved to {@code to}; t itself where they are the same, not a copy. */
    private static Tensor moved(Tensor t, int from, int to) {
        return from == to ? t : t.movedim(from, to);
    }

    /**
     * rfft over the last of {@code dims}, then fft over the others (PyTorch's rfftn); s[i] points along dims[i]. An
     * axis named twice is refused, as PyTorch's "FFT dims must be unique", where it would be transformed twice.
     */
    static Tensor rfftn(String op, Tensor x, int[] s, int[] dims, String norm) {
        checkSizes(op, s, dims);
        Axes.distinct(op, x.shape(), dims);
        int last = dims.length - 1;
        return Composite.composed(() -> {
            Tensor y = rfft(op, x, size(s, last), dims[last], norm, true);
            for (int i = last - 1; i >= 0; i--) {
                Tensor previous = y;
                y = fft(op, y, size(s, i), dims[i], norm, false);
                Tensor.releaseIntermediate(previous, x, y);
            }
            return y;
        }, x);
    }

    /**
     * fft (or ifft) of complex c over each of {@code dims} in turn (PyTorch's fftn and ifftn); s[i] points along
     * dims[i]. Null dims: the last s.length logical axes, or all of them when s is null too, as PyTorch's.
     */
    static Tensor fftn(String op, Tensor c, int[] s, int[] dims, String norm, boolean inverse) {
        checkComplex(op, c);
        int[] axes = dims != null ? dims : lastAxes(c.rank() - 1, s == null ? c.rank() - 1 : s.length);
        checkSizes(op, s, axes);
        Axes.distinct(op, c.shape().without(c.rank() - 1), axes);
        return Composite.composed(() -> {
            Tensor y = c;
            for (int i = 0; i < axes.length; i++) {
                Tensor previous = y;
                y = fft(op, y, size(s, i), axes[i], norm, inverse);
                Tensor.releaseIntermediate(previous, c, y);
            }
            return y;
        }, c);
    }

    /**
     * fft (or ifft) of real x along {@code dim} (PyTorch's fft and ifft of a real tensor): [..., n, ...] to [..., n,
     * ..., 2], the input given zero imaginary parts; the forward transform is the two-sided rfft.
     */
    static Tensor fftOfReal(String op, Tensor x, int n, int dim, String norm, boolean inverse) {
        if (!inverse) {
            return rfft(op, x, n, dim, norm, false);
        }
        Checks.open(op, x);
        Checks.floating(op, x);
        logicalAxis(op, x, dim, false);
        return Composite.composed(() -> fft(op, F.pad(x.unsqueeze(x.rank()), 0, 1), n, dim, norm, true), x);
    }

    /** The last {@code count} of {@code rank} axes, as negative axes; a count beyond the rank is left to the checks. */
    private static int[] lastAxes(int rank, int count) {
        return IntStream.range(0, count).map(i -> i - count).toArray();
    }

    /** ifft over all of {@code dims} but the last, then irfft over the last (PyTorch's irfftn). */
    static Tensor irfftn(String op, Tensor c, int[] s, int[] dims, String norm) {
        checkSizes(op, s, dims);
        checkComplex(op, c);
        Axes.distinct(op, c.shape().without(c.rank() - 1), dims);
        int last = dims.length - 1;
        return Composite.composed(() -> {
            Tensor y = c;
            for (int i = 0; i < last; i++) {
                Tensor previous = y;
                y = fft(op, y, size(s, i), dims[i], norm, true);
                Tensor.releaseIntermediate(previous, c, y);
            }
            Tensor spectrum = y;
            Tensor out = irfft(op, spectrum, size(s, last), dims[last], norm);
            Tensor.releaseIntermediate(spectrum, c, out);
            return out;
        }, c);
    }

    /** Refuses a tensor that is not PyTorch's view_as_real form of a complex one: F32 or F64 [..., 2], rank >= 2. */
    static void checkComplex(String op, Tensor c) {
        Checks.open(op, c);
        Checks.floating(op, c);
        if (c.rank() < 2 || c.dim(c.rank() - 1) != 2) {
            throw new IllegalArgumentException(op + ": expects a complex tensor in view_as_real form [..., 2] (a last"
                    + " axis of 2: real, imaginary) of rank 2 or more, got shape " + c.shape());
        }
    }

    /** Axis {@code dim} among x's logical axes (all but a complex tensor's trailing pair). */
    static int logicalAxis(String op, Tensor x, int dim, boolean complex) {
        Shape logical = complex ? x.shape().without(x.rank() - 1) : x.shape();
        if (logical.rank() == 0) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 1 dimension, got shape " + x.shape());
        }
        return Axes.axis(op, logical, dim);
    }

    /**
     * The factor of a transform of n points: norm "backward" (or null) scales the inverse by 1 / n, "forward" the
     * forward transform, "ortho" both by 1 / sqrt(n), as PyTorch's norm modes.
     */
    static double scale(String op, String norm, int n, boolean inverse) {
        if (norm == null || norm.equals("backward")) {
            return inverse ? 1.0 / n : 1;
        }
        if (norm.equals("forward")) {
            return inverse ? 1 : 1.0 / n;
        }
        if (norm.equals("ortho")) {
            return 1 / Math.sqrt(n);
        }
        throw new IllegalArgumentException(op + ": norm must be \"backward\", \"forward\" or \"ortho\" (or null for"
                + " \"backward\"), got \"" + norm + "\"");
    }

    /** n points, or {@code fallback} where n is -1 (PyTorch's None). */
    private static int points(String op, int n, int fallback) {
        int points = n == -1 ? fallback : n;
        if (points < 1) {
            throw new IllegalArgumentException(op + ": the number of points must be at least 1, got " + points
                    + (n == -1 ? " from the input's length" : "") + " (n -1 takes it from the input)");
        }
        return points;
    }

    private static int size(int[] s, int i) {
        return s == null ? -1 : s[i];
    }

    private static void checkSizes(String op, int[] s, int[] dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException(op + ": needs at least one dim, got none");
        }
        if (s != null && s.length != dims.length) {
            throw new IllegalArgumentException(op + ": s " + Arrays.toString(s) + " must name one size per dim "
                    + Arrays.toString(dims));
        }
    }
}
