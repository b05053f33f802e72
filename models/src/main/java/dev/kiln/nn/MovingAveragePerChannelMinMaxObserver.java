package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * PyTorch's {@code torch.ao.quantization.MovingAveragePerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
 * qscheme=torch.per_channel_symmetric)}, the weight observer of its default QAT qconfig: per output channel (axis 0 of
 * a [out, ...] tensor) the first tensor sets the range, each later one moves it by {@code averagingConstant} towards
 * its own, in F32. {@link #calculateScales} is {@link PerChannelMinMaxObserver}'s symmetric int8 rule on those ranges
 * (zero points all 0).
 *
 * <p>Its state dict holds PyTorch's buffers {@code min_val} and {@code max_val} (F32 [channels], +infinity and
 * -infinity before any weight, where PyTorch's are empty until then, and load so) and {@code eps}, as
 * {@link MovingAverageMinMaxObserver}'s, so that a checkpoint resumes the averages.
 */
public final class MovingAveragePerChannelMinMaxObserver extends Module {
    private final float averagingConstant;
    private final int channels;
    /** Replaced, never written in place: a copy of this module may share the arrays. */
    private float[] minVals;
    private float[] maxVals;
    /** The buffers' {@link BufferVersions} when the fields last matched them. */
    private BufferVersions synced;

    /**
     * @param averagingConstant how far each tensor moves the ranges towards its own, in (0, 1]
     * @param channels the observed tensors' size along axis 0
     * @throws IllegalArgumentException when averagingConstant is outside (0, 1] or channels is not positive
     */
    public MovingAveragePerChannelMinMaxObserver(float averagingConstant, int channels) {
        if (!(averagingConstant > 0 && averagingConstant <= 1) || channels <= 0) {
            throw new IllegalArgumentException("MovingAveragePerChannelMinMaxObserver: averagingConstant must lie in"
                    + " (0, 1] and channels be positive, got " + averagingConstant + " and " + channels);
        }
        this.averagingConstant = averagingConstant;
        this.channels = channels;
        MovingAverageMinMaxObserver.registerEps(this);
        registerBuffer("min_val", unscoped(() -> Tensor.full(Float.POSITIVE_INFINITY, DType.F32, channels)));
        registerBuffer("max_val", unscoped(() -> Tensor.full(Float.NEGATIVE_INFINITY, DType.F32, channels)));
        synced = BufferVersions.of(stateBuffers());
    }

    /** PyTorch's default averaging constant, 0.01, for tensors of {@code channels} along axis 0. */
    public MovingAveragePerChannelMinMaxObserver(int channels) {
        this(MovingAverageMinMaxObserver.DEFAULT_AVERAGING_CONSTANT, channels);
    }

    /**
     * PyTorch's empty {@code min_val} and {@code max_val} ([0], a PyTorch observer that has seen no weight) as Kiln's
     * [channels] of +infinity and -infinity, so that a checkpoint saved straight after {@code prepare_qat} loads.
     */
    @Override
    protected void upgradeStateDict(String prefix, Map<String, Tensor> state) {
        unobservedRange(prefix + "min_val", Float.POSITIVE_INFINITY, state);
        unobservedRange(prefix + "max_val", Float.NEGATIVE_INFINITY, state);
    }

    private void unobservedRange(String key, float bound, Map<String, Tensor> state) {
        Tensor saved = state.get(key);
        if (saved != null && saved.size() == 0) {
            state.put(key, Tensor.full(bound, DType.F32, channels));
        }
    }

    private Tensor[] stateBuffers() {
        return new Tensor[] {buffer("min_val"), buffer("max_val")};
    }

    /** Reads the ranges back from the buffers where something else wrote them (none observed: all +infinity). */
    private void refresh() {
        if (!synced.matches(stateBuffers())) {
            float[] lo = buffer("min_val").toFloatArray();
            boolean observed = lo[0] != Float.POSITIVE_INFINITY;
            minVals = observed ? lo : null;
            maxVals = observed ? buffer("max_val").toFloatArray() : null;
            synced = BufferVersions.of(stateBuffers());
        }
    }

    /**
     * Moves each channel's range towards x [channels, ...]'s (sets it, the first time); returns x itself.
     *
     * @throws IllegalArgumentException when x is a scalar or its axis 0 is not the observer's channel count
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(0) != channels) {
            throw new IllegalArgumentException("MovingAveragePerChannelMinMaxObserver: input " + x.shape()
                    + " must be [channels, ...] with " + channels + " channels");
        }
        refresh();
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
        BufferVersions.writeFloats(buffer("min_val"), lo);
        BufferVersions.writeFloats(buffer("max_val"), hi);
        synced = BufferVersions.of(stateBuffers());
        return x;
    }

    /** Whether it has observed a tensor. */
    public boolean hasObserved() {
        refresh();
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
        if (!hasObserved()) {
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
