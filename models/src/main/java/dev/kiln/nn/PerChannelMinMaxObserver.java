package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's {@code torch.ao.quantization.default_per_channel_weight_observer},
 * {@code PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)}: records each
 * output channel's smallest and largest weight (axis 0 of a [out, ...] tensor) and gives each channel a symmetric
 * int8 scale, zero point 0 ({@link #calculateScales}).
 */
public final class PerChannelMinMaxObserver extends Module {
    /** float32's machine epsilon, the smallest scale. */
    private static final float EPS = Math.ulp(1.0f);

    /** Replaced, never written in place: a copy of this module may share the arrays. */
    private float[] minVals;
    private float[] maxVals;

    /**
     * Widens each channel's recorded range with x [channels, ...]'s; returns x itself.
     *
     * @throws IllegalArgumentException when x is a scalar or has another channel count than before
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || (minVals != null && x.dim(0) != minVals.length)) {
            throw new IllegalArgumentException("PerChannelMinMaxObserver: input " + x.shape() + " must be [channels,"
                    + " ...]" + (minVals == null ? "" : " with " + minVals.length + " channels"));
        }
        float[][] range = channelRanges(x);
        float[] lo = range[0];
        float[] hi = range[1];
        if (minVals != null) {
            for (int c = 0; c < lo.length; c++) {
                lo[c] = Math.min(lo[c], minVals[c]);
                hi[c] = Math.max(hi[c], maxVals[c]);
            }
        }
        minVals = lo;
        maxVals = hi;
        return x;
    }

    /** Each channel's smallest weight, a new array. */
    public float[] minVals() {
        return checked().clone();
    }

    /** Each channel's largest weight, a new array. */
    public float[] maxVals() {
        checked();
        return maxVals.clone();
    }

    /**
     * PyTorch's symmetric {@code calculate_qparams}: per channel {@code max(max(-min, max) / 127.5, eps)} (half of
     * int8's 255 steps, in F32), the zero points all 0.
     *
     * @throws IllegalStateException when it has observed nothing
     */
    public float[] calculateScales() {
        return symmetricScales(checked(), maxVals);
    }

    /** {@link #calculateScales}'s rule on the channels' ranges [lo[c], hi[c]]. */
    static float[] symmetricScales(float[] lo, float[] hi) {
        float[] scales = new float[lo.length];
        for (int c = 0; c < lo.length; c++) {
            float largest = Math.max(-Math.min(lo[c], 0f), Math.max(hi[c], 0f));
            scales[c] = Math.max(largest / 127.5f, EPS);
        }
        return scales;
    }

    /**
     * Each channel's (axis 0) smallest and largest value of x [channels, ...] in F32, {lo, hi}. A scope, not
     * try-with-resources, holds the temporaries: the reshape of a 2-D F32 tensor is the tensor itself, which the
     * caller keeps.
     */
    static float[][] channelRanges(Tensor x) {
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            Tensor rows = x.reshape(x.dim(0), -1).to(DType.F32);
            return new float[][] {rows.amin(new int[] {1}, false).toFloatArray(),
                rows.amax(new int[] {1}, false).toFloatArray()};
        }
    }

    /** The minima, once it has observed a weight. */
    private float[] checked() {
        if (minVals == null) {
            throw new IllegalStateException("PerChannelMinMaxObserver: it has observed no weight");
        }
        return minVals;
    }

    /** PyTorch's {@code extra_repr}: each channel's range, {@code min_val=tensor([]), max_val=tensor([])} at first. */
    @Override
    protected String extraRepr() {
        return "min_val=" + PythonRepr.floats(minVals == null ? new float[0] : minVals) + ", max_val="
                + PythonRepr.floats(maxVals == null ? new float[0] : maxVals);
    }
}
