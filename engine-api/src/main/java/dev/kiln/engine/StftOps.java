package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * PyTorch 1.13's {@code stft} and {@code istft} composed of recorded ops: the signal padded at its ends for
 * {@code center} by one {@code indexSelect} (in any of PyTorch's pad modes), cut into frames by slices of its blocks
 * of hop samples ({@link #frames}), windowed, and transformed by the backend's FFT in one batch; the inverse
 * transforms each frame with irfft and adds the windowed frames back by shifted blocks ({@link #overlapAdd}), divided
 * by the overlap-added squared window. Slices of whole blocks copy runs of samples, where an index of every sample
 * framed (or added) them one element at a time.
 */
final class StftOps {
    private StftOps() {
    }

    static Tensor stft(Tensor x, int nFft, int hop, Tensor window, boolean center, boolean normalized,
                       boolean onesided) {
        return stft(x, nFft, hop, window, center, PaddingMode.REFLECT, normalized, onesided);
    }

    static Tensor stft(Tensor x, int nFft, int hop, Tensor window, boolean center, PaddingMode padMode,
                       boolean normalized, boolean onesided) {
        String op = "stft";
        Checks.open(op, x);
        Checks.floating(op, x);
        if (x.rank() != 1 && x.rank() != 2) {
            throw new IllegalArgumentException(op + ": expects a signal [length] or a batch [batch, length], got shape "
                    + x.shape());
        }
        checkFrames(op, nFft, hop);
        int signal = x.dim(x.rank() - 1);
        int pad = center ? nFft / 2 : 0;
        if (padMode == null) {
            throw new IllegalArgumentException(op + ": padMode must be one of "
                    + Arrays.toString(PaddingMode.values()) + ", got null");
        }
        if (center && padMode == PaddingMode.REFLECT && pad >= signal) {
            throw new IllegalArgumentException(op + ": centring reflects n_fft / 2 = " + pad + " samples at each end,"
                    + " which needs a signal longer than that, got length " + signal);
        }
        if (center && padMode == PaddingMode.CIRCULAR && pad > signal) {
            throw new IllegalArgumentException(op + ": centring wraps n_fft / 2 = " + pad + " samples around each end,"
                    + " which needs a signal at least that long, got length " + signal);
        }
        if (signal + 2 * pad < nFft) {
            throw new IllegalArgumentException(op + ": n_fft " + nFft + " must not exceed the signal's length " + signal
                    + (center ? " + 2 * " + pad + " reflected samples" : ""));
        }
        int frames = 1 + (signal + 2 * pad - nFft) / hop;
        return Composite.composed(() -> {
            Tensor batch = x.rank() == 1 ? x.unsqueeze(0) : x;
            // Zero padding reads one zero appended past the signal's end.
            Tensor source = padMode == PaddingMode.ZEROS && pad > 0 ? F.pad(batch, 0, 1) : batch;
            Tensor padded = pad > 0 ? Tensor.cat(List.of(ends(source, signal, -pad, pad, padMode), batch,
                    ends(source, signal, signal, pad, padMode)), 1) : batch;
            Tensor cut = frames(padded, frames, nFft, hop);
            Tensor windowed = cut.mul(paddedWindow(op, x, window, nFft));
            int bins = onesided ? nFft / 2 + 1 : nFft;
            double scale = normalized ? 1 / Math.sqrt(nFft) : 1;
            Tensor spectrum = FftOps.realSpectrum(windowed, bins, scale).movedim(1, 2);
            return x.rank() == 1 ? spectrum.squeeze(0) : spectrum;
        }, x, window);
    }

    static Tensor istft(Tensor c, int nFft, int hop, Tensor window, boolean center, boolean normalized,
                        boolean onesided, int length) {
        String op = "istft";
        FftOps.checkComplex(op, c);
        if (c.rank() != 3 && c.rank() != 4) {
            throw new IllegalArgumentException(op + ": expects a spectrum [freq, frames, 2] or [batch, freq, frames, 2],"
                    + " got shape " + c.shape());
        }
        checkFrames(op, nFft, hop);
        if (length < -1) {
            throw new IllegalArgumentException(op + ": length must be -1 (every sample) or at least 0, got " + length);
        }
        int bins = c.dim(c.rank() - 3);
        int expectedBins = onesided ? nFft / 2 + 1 : nFft;
        if (bins != expectedBins) {
            throw new IllegalArgumentException(op + ": a " + (onesided ? "one-sided" : "two-sided") + " spectrum of n_fft "
                    + nFft + " has " + expectedBins + " frequencies, got " + bins + " in shape " + c.shape());
        }
        return Composite.composed(() -> {
            Tensor batch = c.rank() == 3 ? c.unsqueeze(0) : c;
            int frames = batch.dim(2);
            Tensor win = paddedWindow(op, c, window, nFft);
            // irfft of the first n_fft / 2 + 1 bins, as PyTorch's for a two-sided spectrum too.
            Tensor signalFrames = FftOps.realSignal(batch.movedim(1, 2), nFft,
                    normalized ? 1 / Math.sqrt(nFft) : 1.0 / nFft);
            int total = nFft + hop * (frames - 1);
            Tensor summed = overlapAdd(signalFrames.mul(win), hop);
            Tensor envelope = overlapAdd(win.square().reshape(1, 1, nFft).expand(1, frames, nFft), hop)
                    .reshape(total);
            int start = center ? nFft / 2 : 0;
            int end = length != -1 ? start + length : center ? total - nFft / 2 : total;
            int kept = Math.min(end, total) - start;
            if (kept < 0) {
                throw new IllegalArgumentException(op + ": " + frames + " frames of hop " + hop + " give " + total
                        + " samples, fewer than the " + start + " that centring drops");
            }
            Tensor overlap = envelope.narrow(0, start, kept);
            checkOverlap(op, overlap, nFft, hop);
            Tensor y = summed.narrow(1, start, kept).div(overlap);
            Tensor signal = end > total ? F.pad(y, 0, end - total) : y;
            return c.rank() == 3 ? signal.squeeze(0) : signal;
        }, c, window);
    }

    /**
     * The {@code count} samples from position {@code from} on outside a signal of {@code length} samples, padded in
     * {@code mode}, read from source [batch, length (+ 1)]: an end of the padded signal, between which the signal
     * itself is concatenated (a copy in bulk). Zero padding reads position {@code length}, a zero appended to the
     * signal.
     */
    private static Tensor ends(Tensor source, int length, int from, int count, PaddingMode mode) {
        long[] index = new long[count];
        for (int j = 0; j < count; j++) {
            index[j] = padded(from + j, length, mode);
        }
        return source.indexSelect(1, HostValues.longs(source, index, count));
    }

    /**
     * Frames [batch, count, nFft] of signal [batch, length], frame t its samples from t hop on: with c = ceil(nFft /
     * hop), the signal (zero-padded or trimmed) read as count + c - 1 blocks of hop samples, frame t is blocks t to
     * t + c - 1 side by side, trimmed to nFft, so c slices of count blocks each concatenated.
     */
    private static Tensor frames(Tensor signal, int count, int nFft, int hop) {
        int c = (nFft + hop - 1) / hop;
        int batch = signal.dim(0);
        Tensor blocks = FftComposite.resized(signal, 1, (count + c - 1) * hop).reshape(batch, count + c - 1, hop);
        List<Tensor> slices = new ArrayList<>();
        for (int j = 0; j < c; j++) {
            slices.add(blocks.narrow(1, j, count));
        }
        Tensor joined = c == 1 ? slices.get(0) : Tensor.cat(slices, 2);
        return c * hop == nFft ? joined : joined.narrow(2, 0, nFft);
    }

    /**
     * The sum [batch, nFft + hop (count - 1)] of frames [batch, count, nFft], frame t added at t hop: {@link #frames}'
     * adjoint. Each frame zero-padded to c = ceil(nFft / hop) blocks of hop samples; block j of every frame lands on
     * output block t + j, so the sum is c shifted copies of the frames' j-th blocks.
     */
    private static Tensor overlapAdd(Tensor frames, int hop) {
        int batch = frames.dim(0);
        int count = frames.dim(1);
        int nFft = frames.dim(2);
        int c = (nFft + hop - 1) / hop;
        Tensor blocks = FftComposite.resized(frames, 2, c * hop).reshape(batch, count, c, hop);
        Tensor sum = null;
        for (int j = 0; j < c; j++) {
            Tensor shifted = F.pad(blocks.narrow(2, j, 1).reshape(batch, count, hop), 0, 0, j, c - 1 - j);
            sum = sum == null ? shifted : sum.add(shifted);
        }
        return sum.reshape(batch, (count + c - 1) * hop).narrow(1, 0, nFft + hop * (count - 1));
    }

    /** The source of position p outside [0, length) in {@code mode}. */
    private static long padded(int p, int length, PaddingMode mode) {
        return switch (mode) {
            case REFLECT -> p < 0 ? -p : 2L * (length - 1) - p;
            case REPLICATE -> p < 0 ? 0 : length - 1;
            case CIRCULAR -> p < 0 ? p + length : p - length;
            case ZEROS -> length;
        };
    }

    /** The window (ones where null) padded with zeros on both sides to nFft, centred as PyTorch's. */
    private static Tensor paddedWindow(String op, Tensor like, Tensor window, int nFft) {
        if (window == null) {
            return like.fullLike(1, Shape.of(nFft));
        }
        Checks.open(op, window);
        Checks.compatible(op, like, window);
        if (window.rank() != 1 || window.dim(0) > nFft || window.dim(0) < 1) {
            throw new IllegalArgumentException(op + ": the window must be 1-D of 1 to n_fft = " + nFft
                    + " samples, got shape " + window.shape());
        }
        int left = (nFft - window.dim(0)) / 2;
        return left == 0 && window.dim(0) == nFft ? window
                : F.pad(window, left, nFft - window.dim(0) - left);
    }

    private static void checkFrames(String op, int nFft, int hop) {
        if (nFft < 1 || hop < 1) {
            throw new IllegalArgumentException(op + ": n_fft and hop must be at least 1, got n_fft " + nFft + " and hop "
                    + hop);
        }
    }

    /** PyTorch's check that no kept sample is covered by a window that is (nearly) zero there: nothing to divide by. */
    private static void checkOverlap(String op, Tensor overlap, int nFft, int hop) {
        if (overlap.size() > 0 && overlap.abs().min().item() < 1e-11) {
            throw new IllegalArgumentException(op + ": the squared window overlap-added with n_fft " + nFft + " and hop "
                    + hop + " falls below 1e-11 (window overlap add min), so the signal cannot be recovered there");
        }
    }
}
