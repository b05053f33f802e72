package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What {@link AdaptiveAvgPool1d} and {@link AdaptiveMaxPool1d} share: each is its 2-D adaptive pooling to one row,
 * run on a view of the input [batch, channels, length] as [batch, channels, 1, length] (PyTorch's windows, see
 * {@link AdaptivePool2d}), and a check of the input that names the layer and the length.
 */
abstract class AdaptivePool1d extends Module {
    private final int outputSize;
    private final AdaptivePool2d rowPooling;

    /** @throws IllegalArgumentException naming {@code layer} for an output size below 1 */
    AdaptivePool1d(String layer, int outputSize) {
        if (outputSize < 1) {
            throw new IllegalArgumentException(layer + ": output size must be at least 1, got " + outputSize);
        }
        this.outputSize = outputSize;
        this.rowPooling = row(outputSize);
    }

    /** The 2-D adaptive pooling of one row to {@code 1 x outputSize}. */
    abstract AdaptivePool2d row(int outputSize);

    /**
     * [batch, channels, length] to [batch, channels, outputSize], or unbatched [channels, length] to
     * [channels, outputSize].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 2-D or 3-D or is empty
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 && x.rank() != 3 || x.dim(-1) < 1) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape()
                    + " must be [batch, channels, length] or unbatched [channels, length] with a length of at least 1");
        }
        return consume(rowPooling.forward(x.unsqueeze(-2)), y -> y.squeeze(-2));
    }

    /** PyTorch's {@code extra_repr}: {@code output_size=4}. */
    @Override
    protected String extraRepr() {
        return "output_size=" + outputSize;
    }
}
