package dev.kiln.engine;

import java.util.stream.IntStream;

/**
 * Discrete Fourier transforms as PyTorch's {@code torch.fft}, with PyTorch's names, argument order, norm modes and
 * output shapes, for a Kiln without complex dtypes: a complex tensor is PyTorch's {@code torch.view_as_real} form, a
 * real F32 or F64 tensor with a trailing axis of 2 (real, imaginary), and {@code dim} counts among the axes before
 * that pair. {@code n} is the signal length of the transform: the input is trimmed or zero-padded to it along
 * {@code dim}, and -1 (PyTorch's None) takes the input's length. {@code norm} is "backward" (or null: no scaling
 * forward, 1 / n inverse), "ortho" (1 / sqrt(n) both ways) or "forward" (1 / n forward, none inverse).
 *
 * <p>Each transform runs the backend's batched FFTs along one axis ({@link Backend#fft}, {@link Backend#rfft},
 * {@link Backend#irfft}): O(n log n) per row on the CPU for every n (mixed radix 2 to 13, Bluestein's algorithm for
 * larger prime factors), one GEMM against a DFT matrix on a backend without an FFT of its own. The gradient of a
 * transform is the transform the other way, recorded when a backward pass records its graph, so differentiable to any
 * order (the gradients are PyTorch's).
 */
public final class Fft {
    /** rfft2's and irfft2's default dims, PyTorch's {@code dim=(-2, -1)}. */
    private static final int[] LAST_TWO_AXES = {-2, -1};

    private Fft() {
    }

    /** {@link #rfft(Tensor, int, int, String)} of the last axis, its length, norm "backward". */
    public static Tensor rfft(Tensor x) {
        return rfft(x, -1, -1, null);
    }

    /**
     * The one-sided spectrum of real {@code x} along {@code dim}: [..., n, ...] to [..., n / 2 + 1, ..., 2]
     * (PyTorch's {@code view_as_real(torch.fft.rfft(x, n, dim, norm))}).
     *
     * @throws IllegalArgumentException naming the op for an integer x, a dim out of range, n below 1 or a norm that
     *     is not one of the three
     */
    public static Tensor rfft(Tensor x, int n, int dim, String norm) {
        return FftOps.rfft("rfft", x, n, dim, norm, true);
    }

    /** {@link #irfft(Tensor, int, int, String)} of the last complex axis, n = 2 (m - 1), norm "backward". */
    public static Tensor irfft(Tensor c) {
        return irfft(c, -1, -1, null);
    }

    /**
     * The real signal of n points whose one-sided spectrum is {@code c} [..., m, ..., 2] along {@code dim}: [..., n,
     * ...], n = 2 (m - 1) by default (PyTorch's {@code irfft(view_as_complex(c), n, dim, norm)}). Bins past n / 2 are
     * ignored, missing ones taken as zeros, and the imaginary parts of bin 0 and (for even n) bin n / 2 ignored.
     *
     * @throws IllegalArgumentException naming the op for c that is not [..., 2], a dim out of range, n below 1 or a
     *     norm that is not one of the three
     */
    public static Tensor irfft(Tensor c, int n, int dim, String norm) {
        return FftOps.irfft("irfft", c, n, dim, norm);
    }

    /** {@link #fft(Tensor, int, int, String)} of the last complex axis, its length, norm "backward". */
    public static Tensor fft(Tensor c) {
        return fft(c, -1, -1, null);
    }

    /**
     * The spectrum of complex {@code c} [..., n, ..., 2] along {@code dim}: same layout with n bins (PyTorch's
     * {@code view_as_real(torch.fft.fft(view_as_complex(c), n, dim, norm))}).
     *
     * @throws IllegalArgumentException naming the op for c that is not [..., 2], a dim out of range, n below 1 or a
     *     norm that is not one of the three
     */
    public static Tensor fft(Tensor c, int n, int dim, String norm) {
        return FftOps.fft("fft", c, n, dim, norm, false);
    }

    /** {@link #ifft(Tensor, int, int, String)} of the last complex axis, its length, norm "backward". */
    public static Tensor ifft(Tensor c) {
        return ifft(c, -1, -1, null);
    }

    /** The inverse of {@link #fft(Tensor, int, int, String)}: same arguments and shapes, the opposite sign. */
    public static Tensor ifft(Tensor c, int n, int dim, String norm) {
        return FftOps.fft("ifft", c, n, dim, norm, true);
    }

    /** {@link #rfft2(Tensor, int[], int[], String)} of the last two axes, their lengths, norm "backward". */
    public static Tensor rfft2(Tensor x) {
        return rfft2(x, null, null, null);
    }

    /**
     * rfft along the last of {@code dims}, then fft along the other (PyTorch's {@code rfft2(x, s, dim, norm)}):
     * [..., h, w] to [..., h, w / 2 + 1, 2] for the default dims {-2, -1} (or null); {@code s} holds the sizes along
     * dims (null for the input's).
     *
     * @throws IllegalArgumentException naming rfft2 for an axis named twice in dims (PyTorch's "FFT dims must be
     *     unique"), s of another length than dims, or what {@link #rfft} and {@link #fft} refuse
     */
    public static Tensor rfft2(Tensor x, int[] s, int[] dims, String norm) {
        return FftOps.rfftn("rfft2", x, s, dims == null ? LAST_TWO_AXES : dims, norm);
    }

    /** {@link #irfft2(Tensor, int[], int[], String)} of the last two complex axes, default sizes, norm "backward". */
    public static Tensor irfft2(Tensor c) {
        return irfft2(c, null, null, null);
    }

    /**
     * The inverse of {@link #rfft2}: ifft along the first of {@code dims}, then irfft along the last (PyTorch's
     * {@code irfft2(c, s, dim, norm)}): [..., h, m, 2] to [..., h, 2 (m - 1)] for the default dims {-2, -1} (or null).
     *
     * @throws IllegalArgumentException naming irfft2 for an axis named twice in dims, s of another length than dims,
     *     or what {@link #irfft} and {@link #ifft} refuse
     */
    public static Tensor irfft2(Tensor c, int[] s, int[] dims, String norm) {
        return FftOps.irfftn("irfft2", c, s, dims == null ? LAST_TWO_AXES : dims, norm);
    }

    /** The sample frequencies of fft's n bins at spacing d: {@code [0, 1, ..., -2, -1] / (d n)} (PyTorch's fftfreq). */
    public static Tensor fftfreq(int n, double d, DType dtype) {
        return SpectralValues.fftfreq(n, d, dtype);
    }

    /** The sample frequencies of rfft's n / 2 + 1 bins at spacing d: {@code [0, ..., n / 2] / (d n)}. */
    public static Tensor rfftfreq(int n, double d, DType dtype) {
        return SpectralValues.rfftfreq(n, d, dtype);
    }

    /**
     * x rolled by {@code size / 2} along each of {@code dims} (all axes when none are given), the zero frequency to
     * the centre (PyTorch's fftshift); for a spectrum in view_as_real form name its axes, not the trailing pair.
     */
    public static Tensor fftshift(Tensor x, int... dims) {
        return shift(x, dims, false);
    }

    /** The inverse of {@link #fftshift}: rolled by {@code -(size / 2)} along each of {@code dims} (all when none). */
    public static Tensor ifftshift(Tensor x, int... dims) {
        return shift(x, dims, true);
    }

    /** The modulus {@code sqrt(re^2 + im^2)} of c [..., 2]: [...] (PyTorch's {@code abs} of a complex tensor). */
    public static Tensor abs(Tensor c) {
        return ComplexPartsOps.abs(c);
    }

    /** The argument {@code atan2(im, re)} of c [..., 2]: [...] (PyTorch's {@code angle} of a complex tensor). */
    public static Tensor angle(Tensor c) {
        return ComplexPartsOps.angle(c);
    }

    /** PyTorch's {@code hann_window(n, periodic, dtype)} on the engine's backend: {@code 0.5 - 0.5 cos(2 pi k / N)}. */
    public static Tensor hannWindow(int n, boolean periodic, DType dtype) {
        return SpectralValues.hannWindow(n, periodic, dtype);
    }

    /** {@link #stft(Tensor, int, int, Tensor, boolean, boolean, boolean)} centred, not normalised, one-sided. */
    public static Tensor stft(Tensor x, int nFft, int hop, Tensor window) {
        return stft(x, nFft, hop, window, true, false, true);
    }

    /**
     * The short-time Fourier transform of x [length] or [batch, length] (PyTorch 1.13's {@code view_as_real(stft(x,
     * n_fft, hop_length, window=window, center, pad_mode="reflect", normalized, onesided, return_complex=True))}):
     * frames of nFft samples, {@code hop} apart, each multiplied by {@code window} (nFft samples or fewer, centred and
     * zero-padded to nFft; null for ones) and transformed: [batch?, freq, frames, 2], freq = nFft / 2 + 1 one-sided or
     * nFft, frames = 1 + (length - nFft) / hop after {@code center} reflect-padded nFft / 2 samples on each side;
     * {@code normalized} scales by 1 / sqrt(nFft). Differentiable in x and in the window.
     *
     * @throws IllegalArgumentException naming stft for x of another rank, nFft or hop below 1, a window longer than
     *     nFft or on another backend or dtype, or a signal shorter than a frame (or than its reflection)
     */
    public static Tensor stft(Tensor x, int nFft, int hop, Tensor window, boolean center, boolean normalized,
                              boolean onesided) {
        return StftOps.stft(x, nFft, hop, window, center, normalized, onesided);
    }

    /** {@link #istft(Tensor, int, int, Tensor, boolean, boolean, boolean, int)} centred, one-sided, every sample. */
    public static Tensor istft(Tensor c, int nFft, int hop, Tensor window) {
        return istft(c, nFft, hop, window, true, false, true, -1);
    }

    /**
     * The inverse of {@link #stft}: c [batch?, freq, frames, 2] to the signal [batch?, samples] (PyTorch 1.13's
     * {@code istft(view_as_complex(c), n_fft, hop_length, window=window, center, normalized, onesided, length)}): each
     * frame's irfft of its first nFft / 2 + 1 bins, windowed, overlap-added and divided by the overlap-added squared
     * window; {@code center} drops nFft / 2 samples at each end; {@code length} (-1 for all) trims or zero-pads the
     * end.
     *
     * @throws IllegalArgumentException naming istft for c that is not [freq, frames, 2] or [batch, freq, frames, 2],
     *     a number of frequencies other than nFft / 2 + 1 (one-sided) or nFft, or a window whose squares overlap-add
     *     to below 1e-11 at a kept sample
     */
    public static Tensor istft(Tensor c, int nFft, int hop, Tensor window, boolean center, boolean normalized,
                               boolean onesided, int length) {
        return StftOps.istft(c, nFft, hop, window, center, normalized, onesided, length);
    }

    /** {@link #fft2(Tensor, int[], int[], String)} of the last two complex axes, their lengths, norm "backward". */
    public static Tensor fft2(Tensor c) {
        return fft2(c, null, null, null);
    }

    /**
     * fft of complex {@code c} along each of {@code dims} (null: {-2, -1}) with {@code s[i]} points along dims[i] (s
     * null: the input's), PyTorch's {@code view_as_real(fft2(view_as_complex(c), s, dim, norm))}: [..., h, w, 2] to
     * [..., s0, s1, 2].
     *
     * @throws IllegalArgumentException naming fft2 for an axis named twice in dims, s of another length than dims, or
     *     what {@link #fft(Tensor, int, int, String)} refuses
     */
    public static Tensor fft2(Tensor c, int[] s, int[] dims, String norm) {
        return FftOps.fftn("fft2", c, s, dims == null ? LAST_TWO_AXES : dims, norm, false);
    }

    /** {@link #ifft2(Tensor, int[], int[], String)} of the last two complex axes, their lengths, norm "backward". */
    public static Tensor ifft2(Tensor c) {
        return ifft2(c, null, null, null);
    }

    /** The inverse of {@link #fft2(Tensor, int[], int[], String)}: same arguments and shapes, the opposite sign. */
    public static Tensor ifft2(Tensor c, int[] s, int[] dims, String norm) {
        return FftOps.fftn("ifft2", c, s, dims == null ? LAST_TWO_AXES : dims, norm, true);
    }

    /** {@link #fftn(Tensor, int[], int[], String)} over every complex axis, their lengths, norm "backward". */
    public static Tensor fftn(Tensor c) {
        return fftn(c, null, null, null);
    }

    /**
     * fft of complex {@code c} along each of {@code dims} with {@code s[i]} points along dims[i] (PyTorch's
     * {@code fftn(view_as_complex(c), s, dim, norm)}): dims null takes the last s.length axes, or every axis (not the
     * trailing pair) when s is null too.
     *
     * @throws IllegalArgumentException naming fftn for an axis named twice in dims, s of another length than dims, no
     *     dims, or what {@link #fft(Tensor, int, int, String)} refuses
     */
    public static Tensor fftn(Tensor c, int[] s, int[] dims, String norm) {
        return FftOps.fftn("fftn", c, s, dims, norm, false);
    }

    /** {@link #ifftn(Tensor, int[], int[], String)} over every complex axis, their lengths, norm "backward". */
    public static Tensor ifftn(Tensor c) {
        return ifftn(c, null, null, null);
    }

    /** The inverse of {@link #fftn(Tensor, int[], int[], String)}: same arguments and shapes, the opposite sign. */
    public static Tensor ifftn(Tensor c, int[] s, int[] dims, String norm) {
        return FftOps.fftn("ifftn", c, s, dims, norm, true);
    }

    /** {@link #fftOfReal(Tensor, int, int, String)} of the last axis, its length, norm "backward". */
    public static Tensor fftOfReal(Tensor x) {
        return fftOfReal(x, -1, -1, null);
    }

    /**
     * The full spectrum of real {@code x} along {@code dim}: [..., n, ...] to [..., n, ..., 2] (PyTorch's
     * {@code view_as_real(torch.fft.fft(x, n, dim, norm))} of a real tensor, which a Kiln tensor of pairs could not
     * tell from a complex one; the two-sided rfft).
     *
     * @throws IllegalArgumentException naming the op for an integer x, a dim out of range, n below 1 or a norm that
     *     is not one of the three
     */
    public static Tensor fftOfReal(Tensor x, int n, int dim, String norm) {
        return FftOps.fftOfReal("fftOfReal", x, n, dim, norm, false);
    }

    /** {@link #ifftOfReal(Tensor, int, int, String)} of the last axis, its length, norm "backward". */
    public static Tensor ifftOfReal(Tensor x) {
        return ifftOfReal(x, -1, -1, null);
    }

    /** PyTorch's {@code torch.fft.ifft} of real {@code x}: as {@link #fftOfReal(Tensor, int, int, String)}, inverse. */
    public static Tensor ifftOfReal(Tensor x, int n, int dim, String norm) {
        return FftOps.fftOfReal("ifftOfReal", x, n, dim, norm, true);
    }

    /**
     * {@link #stft(Tensor, int, int, Tensor, boolean, boolean, boolean)} with PyTorch's {@code pad_mode} for
     * {@code center}: {@link PaddingMode#REFLECT} (stft's default), {@code ZEROS} ("constant"), {@code REPLICATE} or
     * {@code CIRCULAR}, nFft / 2 samples on each side.
     *
     * @throws IllegalArgumentException naming stft as the other overload does, for a null mode, or a signal shorter
     *     than its reflection (reflect) or its wrap (circular)
     */
    public static Tensor stft(Tensor x, int nFft, int hop, Tensor window, boolean center, PaddingMode padMode,
                              boolean normalized, boolean onesided) {
        return StftOps.stft(x, nFft, hop, window, center, padMode, normalized, onesided);
    }

    private static Tensor shift(Tensor x, int[] dims, boolean inverse) {
        String op = inverse ? "ifftshift" : "fftshift";
        Checks.open(op, x);
        int[] axes = dims.length == 0 ? IntStream.range(0, x.rank()).toArray()
                : Axes.distinct(op, x.shape(), dims);
        int[] shifts = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int half = x.dim(axes[i]) / 2;
            shifts[i] = inverse ? -half : half;
        }
        return x.roll(shifts, axes);
    }
}
