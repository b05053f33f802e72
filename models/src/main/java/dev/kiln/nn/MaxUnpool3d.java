package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.function.Supplier;

/**
 * Max unpooling of volumes, like PyTorch's {@code torch.nn.MaxUnpool3d}: the partial inverse of {@link MaxPool3d}
 * with the same kernel, stride and padding. Input [batch, channels, depth, height, width] (or unbatched [channels,
 * depth, height, width]) and the indices {@link MaxPool3d#forwardWithIndices} returned with it, to [batch, channels,
 * outD, outH, outW], zero but where an index puts an input value; {@code outD = (depth - 1) strideD + kernelD -
 * 2 padD} (likewise outH, outW), or the size asked for, which may be up to a stride less than one past that, to
 * restore a size that the pooling rounded down. Where overlapping windows repeat an index, the last in (depth, height,
 * width) order stands, as on PyTorch's CPU (see {@link F#maxUnpool3d} for a dilated pooling's indices). Each input
 * element's gradient is the output's gradient at its index. No parameters.
 */
public class MaxUnpool3d extends Module implements TwoInputForward {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    /** Undoes non-overlapping cubic windows: stride {@code kernel}, no padding. */
    public MaxUnpool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxUnpool3d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public MaxUnpool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding});
    }

    /**
     * Each array one value for all three axes or three (depth, height, width), as the pooling's; a null stride is the
     * kernel.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a negative padding
     */
    public MaxUnpool3d(int[] kernel, int[] stride, int[] padding) {
        String layer = getClass().getSimpleName();
        this.kernel = SpatialAxes.THREE.expand(layer, "kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : SpatialAxes.THREE.expand(layer, "stride", stride, 1);
        this.padding = SpatialAxes.THREE.expand(layer, "padding", padding, 0);
    }

    /** (depth, height, width). */
    public int[] kernel() {
        return kernel.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    /** @throws UnsupportedOperationException always: unpooling needs the pooling's indices too */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(describe() + ": unpooling needs the pooling's indices; call forward(input,"
                + " indices)");
    }

    /**
     * [batch, channels, depth, height, width] and its indices (I64, the same shape) to [batch, channels, outD, outH,
     * outW]; unbatched [channels, depth, height, width] to [channels, outD, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and both shapes when the input is not 4-D or 5-D, the indices
     *     are not I64 of its shape, or an index lies outside the output volume
     */
    @Override
    public Tensor forward(Tensor x, Tensor indices) {
        return forward(x, indices, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor)} to {@code outputSize} (depth, height, width; null for the default), as
     * PyTorch's {@code output_size}: each strictly within a stride of the default, e.g. the size of the pooling's
     * input.
     *
     * @throws IllegalArgumentException as {@link #forward(Tensor, Tensor)}, and for an output size out of that range
     */
    public Tensor forward(Tensor x, Tensor indices, int[] outputSize) {
        return naming(x, indices, () -> {
            if (x.rank() != 4 || indices.rank() != 4) {
                return F.maxUnpool3d(x, indices, kernel, stride, padding, outputSize);
            }
            Tensor y = F.maxUnpool3d(x.unsqueeze(0), indices.unsqueeze(0), kernel, stride, padding, outputSize);
            return consume(y, t -> t.squeeze(0));
        });
    }

    /** {@code unpooling}'s result, its argument errors renamed for this layer and both shapes. */
    private Tensor naming(Tensor x, Tensor indices, Supplier<Tensor> unpooling) {
        try {
            return unpooling.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + ", indices " + indices.shape() + ": "
                    + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr}: {@code kernel_size=(3, 3, 3), stride=(3, 3, 3), padding=(0, 0, 0)}. */
    @Override
    protected String extraRepr() {
        return "kernel_size=" + PythonRepr.tuple(kernel) + ", stride=" + PythonRepr.tuple(stride) + ", padding="
                + PythonRepr.tuple(padding);
    }
}
