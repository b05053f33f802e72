package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;

/**
 * PyTorch's {@code torch.ao.quantization.MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine)}: records
 * the smallest and largest element of every tensor it is called with, and turns that range into a uint8 grid
 * ({@link #calculateQParams}). {@link StaticQuantization#prepare} puts one behind each layer it will quantise. Input
 * of any shape, handed on unchanged.
 */
public final class MinMaxObserver extends Module {
    /** float32's machine epsilon, the smallest scale (PyTorch's {@code torch.finfo(torch.float32).eps}). */
    private static final float EPS = Math.ulp(1.0f);

    private final boolean reduceRange;
    private float minVal = Float.POSITIVE_INFINITY;
    private float maxVal = Float.NEGATIVE_INFINITY;
    /** Whether an element came by: after a NaN, the range is NaN, and min <= max no longer tells. */
    private boolean observed;

    /** With {@code reduceRange} the grid spans q in [0, 127] instead of [0, 255], as PyTorch's flag of that name. */
    public MinMaxObserver(boolean reduceRange) {
        this.reduceRange = reduceRange;
    }

    /** The observer of PyTorch's default activation qconfig: the full range [0, 255]. */
    public MinMaxObserver() {
        this(false);
    }

    /** Widens the recorded range to hold x's elements; returns x itself. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.size() > 0) {
            try (Tensor lo = x.min(); Tensor hi = x.max()) {
                minVal = Math.min(minVal, (float) lo.item());
                maxVal = Math.max(maxVal, (float) hi.item());
            }
            observed = true;
        }
        return x;
    }

    /** Whether it has seen at least one element. */
    public boolean hasObserved() {
        return observed;
    }

    /** The smallest element seen; +infinity before any. */
    public float minVal() {
        return minVal;
    }

    /** The largest element seen; -infinity before any. */
    public float maxVal() {
        return maxVal;
    }

    /**
     * PyTorch's {@code calculate_qparams}: the range widened to hold 0, {@code scale = max((max - min) / (qmax - qmin),
     * eps)} and {@code zeroPoint = clamp(qmin - round(min / scale), qmin, qmax)}, in F32, rounding half to even.
     *
     * @throws IllegalStateException when it has seen nothing (no calibration ran through it), or NaN or an infinity,
     *     which leave no finite grid (PyTorch then makes a NaN or infinite scale)
     */
    public Uint8Grid calculateQParams() {
        if (!hasObserved()) {
            throw new IllegalStateException("MinMaxObserver: it has observed no values; run calibration batches"
                    + " through the prepared model before converting it");
        }
        return grid(minVal, maxVal, reduceRange);
    }

    /**
     * {@link #calculateQParams}'s rule on the range [minVal, maxVal].
     *
     * @throws IllegalStateException when the range is not finite
     */
    static Uint8Grid grid(float minVal, float maxVal, boolean reduceRange) {
        if (!Float.isFinite(minVal) || !Float.isFinite(maxVal)) {
            throw new IllegalStateException("MinMaxObserver: it has observed values that are not finite (min_val="
                    + minVal + ", max_val=" + maxVal + "); calibrate on finite data");
        }
        int quantMax = reduceRange ? 127 : 255;
        float lo = Math.min(minVal, 0f);
        float hi = Math.max(maxVal, 0f);
        float scale = Math.max((hi - lo) / quantMax, EPS);
        long zero = -(long) Math.rint(lo / scale);
        return new Uint8Grid(scale, (int) Math.max(0, Math.min(quantMax, zero)));
    }

    /** PyTorch's {@code extra_repr}: the range, {@code min_val=inf, max_val=-inf} before any element. */
    @Override
    protected String extraRepr() {
        return "min_val=" + PythonRepr.number(minVal) + ", max_val=" + PythonRepr.number(maxVal);
    }
}
