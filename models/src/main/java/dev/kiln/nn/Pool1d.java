package dev.kiln.nn;

import dev.kiln.engine.PoolOutputSize;
import dev.kiln.engine.Tensor;

/**
 * What the 1-D pooling layers share: a check of the input that names the layer and the length, before the pooling
 * itself (the max and average layers call {@code F.maxPool1d} and {@code F.avgPool1d}, the power-average one its 2-D
 * pooling of height 1).
 */
abstract class Pool1d extends Pool2d {
    Pool1d(int kernel, int stride, int padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    /** The pooling of a checked input: [batch, channels, length] to [batch, channels, outLength]. */
    abstract Tensor poolLength(Tensor x);

    /**
     * [batch, channels, length] to [batch, channels, outLength].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 3-D or is shorter than
     *     the window
     */
    @Override
    public Tensor forward(Tensor x) {
        return super.forward(x);
    }

    @Override
    Tensor pool(Tensor x) {
        checkRow(x, leavesNoWindowsToThePooling());
        return poolLength(x);
    }

    /** Whether the pooling itself decides about an input that no window fits: false, it is refused here. */
    boolean leavesNoWindowsToThePooling() {
        return false;
    }

    /** The spacing of a window's elements: 1 but for a dilated max pooling. */
    int rowDilation() {
        return 1;
    }

    /**
     * Refuses an input that is not [batch, channels, length] or is shorter than the padded window's span (in ceil mode
     * by the stride or more: PyTorch's rule, {@link PoolOutputSize}); one that no window fits (0 windows) is left to
     * the pooling where {@code noWindowsAllowed}.
     */
    void checkRow(Tensor x, boolean noWindowsAllowed) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("expected a 3-D input [batch, channels, length]");
        }
        long span = (long) rowDilation() * (kernel - 1) + 1;
        long windows = PoolOutputSize.of(x.dim(2), kernel, stride, padding, rowDilation(), ceilMode);
        if (windows < 1 && !(windows == 0 && noWindowsAllowed)) {
            String window = rowDilation() == 1 ? "the kernel " + kernel + " is"
                    : "the kernel " + kernel + " with dilation " + rowDilation() + " spans " + span + ",";
            throw new IllegalArgumentException(window + " longer than the length " + x.dim(2) + " padded by "
                    + padding + " on each end" + (ceilMode ? " by the stride " + stride + " or more" : ""));
        }
    }
}
