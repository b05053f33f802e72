package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * PyTorch's {@code torch.ao.quantization.MovingAveragePerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
 * qscheme=torch.per_channel_symmetric)}, the weight observer of its default QAT qconfig: per output channel (axis 0 of
 * a [out, ...] tensor) the first tensor sets the range, each later one moves it by {@code averagingConstant} towards
 * its own, in F32. {@link #calculateScales} is {@link PerChannelMinMaxObserver}'s symmetric int8 rule on those ranges
 * (zero points all 0).
 */
public final class MovingAveragePerChannelMinMaxObserver extends Module {
    private final float averagingConstant;
    /** Replaced, never written in place: a copy of this module may share the arrays. */
    private float[] minVals;
    private float[] maxVals;

    /**
     * @param averagingConstant how far each tensor moves the ranges towards its own, in (0, 1]
     * @throws IllegalArgumentException when averagingConstant is outside (0, 1]
     */
    public MovingAveragePerChannelMinMaxObserver(float averagingConstant) {
        if (!(averagingConstant > 0 && averagingConstant <= 1)) {
            throw new IllegalArgumentException("MovingAveragePerChannelMinMaxObserver: averagingConstant must lie in"
                    + " (0, 1], got " + averagingConstant);
        }
        this.averagingConstant = averagingConstant;
    }

    /** PyTorch's default averaging constant, 0.01. */
    public MovingAveragePerChannelMinMaxObserver() {
        this(MovingAverageMinMaxObserver.DEFAULT_AVERAGING_CONSTANT);
    }

    /**
     * Moves each channel's range towards x [channels, ...]'s (sets it, the first time); returns x itself.
     *
     * @throws IllegalArgumentException when x is a scalar or has another channel count than before
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || (minVals != null && x.dim(0) != minVals.length)) {
            throw new IllegalArgumentException("MovingAveragePerChannelMinMaxObserver: input " + x.shape()
                    + " must be [channels, ...]" + (minVals == null ? "" : " with " + minVals.length + " channels"));
        }
        float[][] range = PerChannelMinMaxObserver.channelRanges(x);
        float[] lo = range[0];
        float[] hi = range[1];
        if (minVals != null) {
            for (int c = 0; c < lo.length; c++) {
                lo[c] = minVals[c] + averagingConstant * (lo[c] - minVals[c]);
                hi[c] = maxVals[c] + averagingConstant * (hi[c] - maxVals[c]);
            }
        }
        minVals = lo;
        maxVals = hi;
        return x;
    }

    /** Whether it has observed a tensor. */
    public boolean hasObserved() {
        return minVals != null;
    }

    /** Each channel's averaged minimum, a new array. */
    public float[] minVals() {
        return checked().clone();
    }

    /** Each channel's averaged maximum, a new array. */
    public float[] maxVals() {
        checked();
        return maxVals.clone();
    }

    /**
     * Each channel's symmetric int8 scale by {@link PerChannelMinMaxObserver#calculateScales}'s rule.
     *
     * @throws IllegalStateException when it has observed nothing
     */
    public float[] calculateScales() {
        return PerChannelMinMaxObserver.symmetricScales(checked(), maxVals);
    }

    private float[] checked() {
        if (minVals == null) {
            throw new IllegalStateException("MovingAveragePerChannelMinMaxObserver: it has observed no weight");
        }
        return minVals;
    }

    @Override
    public String toString() {
        return "MovingAveragePerChannelMinMaxObserver(ch_axis=0, qint8, per_channel_symmetric, averaging_constant="
                + averagingConstant + ")";
    }
}
