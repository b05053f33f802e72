package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max unpooling, like PyTorch's {@code torch.nn.MaxUnpool2d}: the partial inverse of {@link MaxPool2d} with the same
 * kernel, stride and padding. Input [batch, channels, height, width] and the indices
 * {@link MaxPool2d#forwardWithIndices} returned with it, to [batch, channels, outH, outW], zero but where an index
 * puts an input value; {@code outH = (height - 1) stride + kernel - 2 padding} (likewise outW), or the size asked
 * for, which may be up to a stride less than one past that, to restore a size that the pooling rounded down. Where
 * overlapping windows repeat an index, the last in row-major order stands, as on PyTorch's CPU. The gradient is
 * PyTorch's: each input element receives the output's gradient at its index. No parameters. See
 * {@link F#maxUnpool2d}.
 */
public class MaxUnpool2d extends MaxUnpool {
    /** Undoes non-overlapping {@code kernel x kernel} windows: stride {@code kernel}, no padding. */
    public MaxUnpool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxUnpool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    /** @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a negative padding */
    public MaxUnpool2d(int kernel, int stride, int padding) {
        super(kernel, stride, padding);
    }

    /**
     * [batch, channels, height, width] and its indices (I64, the same shape) to [batch, channels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and both shapes when the input is not 4-D, the indices are
     *     not I64 of its shape, or an index lies outside the output plane
     */
    @Override
    public Tensor forward(Tensor x, Tensor indices) {
        return forward(x, indices, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor)} to {@code outputSize} (height, width; null for the default), as PyTorch's
     * {@code output_size}: each strictly within a stride of the default, e.g. the size of the pooling's input.
     *
     * @throws IllegalArgumentException as {@link #forward(Tensor, Tensor)}, and for an output size out of that range
     */
    public Tensor forward(Tensor x, Tensor indices, int[] outputSize) {
        return naming(x, indices, () -> F.maxUnpool2d(x, indices, new int[] {kernel}, new int[] {stride},
                new int[] {padding}, outputSize));
    }

    @Override
    int spatialAxes() {
        return 2;
    }
}
