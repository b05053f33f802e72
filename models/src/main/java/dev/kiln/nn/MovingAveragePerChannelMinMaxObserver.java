package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * PyTorch's {@code torch.ao.quantization.MovingAveragePerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
 * qscheme=torch.per_channel_symmetric)}, the weight observer of its default QAT qconfig: per output channel (axis 0 of
 * a [out, ...] tensor) the first tensor sets the range, each later one moves it by {@code averagingConstant} towards
 * its own, in F32. {@link #calculateScales} is {@link PerChannelMinMaxObserver}'s symmetric int8 rule on those ranges
 * (zero points all 0).
 *
 * <p>Its state dict holds PyTorch's buffers {@code min_val} and {@code max_val} (F32 [channels]; empty, [0], before
 * any weight, as PyTorch's, whose moving average starts afresh from an empty range but would give NaN from infinite
 * ones) and {@code eps}, as {@link MovingAverageMinMaxObserver}'s, so that a checkpoint resumes the averages in either
 * framework. A checkpoint's range sets the buffers' shape on loading ({@link Module#resizesOnLoad}).
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
        registerBuffer("min_val", unscoped(() -> Tensor.zeros(DType.F32, 0)));
        registerBuffer("max_val", unscoped(() -> Tensor.zeros(DType.F32, 0)));
        synced = BufferVersions.of(stateBuffers());
    }

    /** PyTorch's default averaging constant, 0.01, for tensors of {@code channels} along axis 0. */
    public MovingAveragePerChannelMinMaxObserver(int channels) {
        this(MovingAverageMinMaxObserver.DEFAULT_AVERAGING_CONSTANT, channels);
    }

    /**
     * The [channels] of +infinity and -infinity that earlier Kiln versions saved for a range that had seen no weight
     * as PyTorch's empty ones, so that such a checkpoint loads unobserved.
     *
     * @throws IllegalArgumentException naming the key of a range neither empty nor of the observer's channels, which
     *     the buffers' shape taken from the checkpoint no longer refuses
     */
    @Override
    protected void upgradeStateDict(String prefix, Map<String, Tensor> state) {
        Tensor lo = state.get(prefix + "min_val");
        Tensor hi = state.get(prefix + "max_val");
        for (String name : new String[] {"min_val", "max_val"}) {
            Tensor range = state.get(prefix + name);
            if (range != null && !(range.size() == 0 || range.shape().equals(Shape.of(channels)))) {
                throw new IllegalArgumentException("MovingAveragePerChannelMinMaxObserver: checkpoint '" + prefix + name
                        + "' " + range.shape() + " must be [0] (no weight seen) or [" + channels + "]");
            }
        }
        if (lo != null && hi != null && lo.size() > 0 && all(lo, Float.POSITIVE_INFINITY)
                && all(hi, Float.NEGATIVE_INFINITY)) {
            state.put(prefix + "min_val", Tensor.zeros(DType.F32, 0));
            state.put(prefix + "max_val", Tensor.zeros(DType.F32, 0));
        }
    }

    private static boolean all(Tensor t, float value) {
        for (float v : t.toFloatArray()) {
            if (v != value) {
                return false;
            }
        }
        return true;
    }

    /** The range buffers take a checkpoint's shape: empty before any weight, [channels] after. */
    @Override
    protected boolean resizesOnLoad(String name) {
        return name.equals("min_val") || name.equals("max_val");
    }

    private Tensor[] stateBuffers() {
        return new Tensor[] {buffer("min_val"), buffer("max_val")};
    }

    /** Reads the ranges back from the buffers where something else wrote them (none observed: empty). */
    private void refresh() {
        if (!synced.matches(stateBuffers())) {
            boolean observed = buffer("min_val").size() != 0;
            minVals = observed ? buffer("min_val").toFloatArray() : null;
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
        sizeRangesToChannels();
        BufferVersions.writeFloats(buffer("min_val"), lo);
        BufferVersions.writeFloats(buffer("max_val"), hi);
        synced = BufferVersions.of(stateBuffers());
        return x;
    }

    /** Gives the empty range buffers of an observer that saw no weight before one [channels] each, in their dtype. */
    private void sizeRangesToChannels() {
        for (String name : new String[] {"min_val", "max_val"}) {
            DType dtype = buffer(name).dtype();
            if (buffer(name).size() != channels) {
                replaceBuffer(name, unscoped(() -> Tensor.zeros(dtype, channels)));
            }
        }
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

    /** PyTorch's {@code extra_repr}: each channel's range as its buffers hold it, {@code tensor([])} at first. */
    @Override
    protected String extraRepr() {
        return "min_val=" + buffer("min_val") + ", max_val=" + buffer("max_val");
    }
}
