package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What the 1-D pooling layers share: each is its 2-D pooling of height 1, run on a view of the input
 * [batch, channels, length] as [batch, channels, 1, length], and a check of the input that names the layer and the
 * length rather than the view's height and width.
 */
abstract class Pool1d extends Pool2d {
    Pool1d(int kernel, int stride, int padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    /** The 2-D pooling with a window of height 1: [batch, channels, 1, length] to [batch, channels, 1, outLength]. */
    abstract Tensor poolRow(Tensor x, int[] kernel, int[] stride, int[] padding);

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
        checkRow(x);
        Tensor y = poolRow(x.unsqueeze(2), new int[] {1, kernel}, new int[] {1, stride}, new int[] {0, padding});
        return y.squeeze(2);
    }

    /** The spacing of a window's elements: 1 but for a dilated max pooling. */
    int rowDilation() {
        return 1;
    }

    /** Refuses an input that is not [batch, channels, length] or is shorter than the padded window's span. */
    void checkRow(Tensor x) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("expected a 3-D input [batch, channels, length]");
        }
        long span = (long) rowDilation() * (kernel - 1) + 1;
        if (span > x.dim(2) + 2L * padding) {
            String window = rowDilation() == 1 ? "the kernel " + kernel + " is"
                    : "the kernel " + kernel + " with dilation " + rowDilation() + " spans " + span + ",";
            throw new IllegalArgumentException(window + " longer than the length " + x.dim(2) + " padded by "
                    + padding + " on each end");
        }
    }
}
