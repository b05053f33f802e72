package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max unpooling over one axis, like PyTorch's {@code torch.nn.MaxUnpool1d}: the partial inverse of
 * {@link MaxPool1d} with the same kernel, stride and padding. Input [batch, channels, length] and the indices
 * {@link MaxPool1d#forwardWithIndices} returned with it, to [batch, channels, outLength], zero but where an index
 * puts an input value; {@code outLength = (length - 1) stride + kernel - 2 padding}, or the length asked for, which
 * may be up to a stride less than one past that. Where overlapping windows repeat an index, the last stands, as on
 * PyTorch's CPU; each input element's gradient is the output's gradient at its index. It runs as
 * {@link MaxUnpool2d} of height 1. No parameters.
 */
public class MaxUnpool1d extends MaxUnpool {
    /** Undoes non-overlapping windows: stride {@code kernel}, no padding. */
    public MaxUnpool1d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxUnpool1d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    /** @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a negative padding */
    public MaxUnpool1d(int kernel, int stride, int padding) {
        super(kernel, stride, padding);
    }

    /**
     * [batch, channels, length] and its indices (I64, the same shape) to [batch, channels, outLength].
     *
     * @throws IllegalArgumentException naming this layer and both shapes when the input is not 3-D, the indices are
     *     not I64 of its shape, or an index lies outside the output
     */
    @Override
    public Tensor forward(Tensor x, Tensor indices) {
        return naming(x, indices, () -> {
            checkRows(x, indices);
            return unpoolRows(x, indices, null);
        });
    }

    /**
     * As {@link #forward(Tensor, Tensor)} to {@code outputLength}, PyTorch's {@code output_size}: strictly within a
     * stride of the default, e.g. the length of the pooling's input.
     *
     * @throws IllegalArgumentException as {@link #forward(Tensor, Tensor)}, and for a length out of that range
     */
    public Tensor forward(Tensor x, Tensor indices, int outputLength) {
        return naming(x, indices, () -> {
            checkRows(x, indices);
            long natural = (x.dim(2) - 1L) * stride + kernel - 2L * padding;
            if (outputLength <= natural - stride || outputLength >= natural + stride) {
                throw new IllegalArgumentException("output length " + outputLength + " must be between "
                        + (natural - stride) + " and " + (natural + stride) + " exclusive");
            }
            return unpoolRows(x, indices, new int[] {1, outputLength});
        });
    }

    /** Refuses other than a 3-D input with indices of its shape, before the view of height 1 would rename them. */
    private static void checkRows(Tensor x, Tensor indices) {
        if (x.rank() != 3) {
            throw new IllegalArgumentException("expected a 3-D input [batch, channels, length]");
        }
        if (!indices.shape().equals(x.shape())) {
            throw new IllegalArgumentException("the indices must have the input's shape " + x.shape());
        }
    }

    /** The 2-D unpooling of a window of height 1. */
    private Tensor unpoolRows(Tensor x, Tensor indices, int[] outputSize) {
        Tensor y = F.maxUnpool2d(x.unsqueeze(2), indices.unsqueeze(2), new int[] {1, kernel}, new int[] {1, stride},
                new int[] {0, padding}, outputSize);
        return y.squeeze(2);
    }

    @Override
    int spatialAxes() {
        return 1;
    }
}
