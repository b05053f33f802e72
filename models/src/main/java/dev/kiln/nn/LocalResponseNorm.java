package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Local response normalisation across channels (AlexNet), like PyTorch's
 * {@code torch.nn.LocalResponseNorm(size, alpha, beta, k)}: input [batch, channels, ...] (e.g.
 * [batch, channels, height, width]), output the same shape,
 * {@code y_c = x_c / (k + alpha / size * sum x_c'^2)^beta}, the sum over the {@code size} channels c' from
 * {@code c - size/2} to {@code c + (size-1)/2} (integer halves), channels beyond either end counting as 0: alpha is
 * divided by size, as in PyTorch (the sum is a mean over a zero-padded window). No parameters; the same in training
 * and evaluation mode.
 */
public class LocalResponseNorm extends Module {
    private final int size;
    private final double alpha;
    private final double beta;
    private final double k;

    /** alpha 1e-4, beta 0.75, k 1, PyTorch's defaults. */
    public LocalResponseNorm(int size) {
        this(size, 1e-4, 0.75, 1);
    }

    /** @throws IllegalArgumentException naming the layer for a size below 1 */
    public LocalResponseNorm(int size, double alpha, double beta, double k) {
        if (size < 1) {
            throw new IllegalArgumentException("LocalResponseNorm: size must be at least 1, got " + size);
        }
        this.size = size;
        this.alpha = alpha;
        this.beta = beta;
        this.k = k;
    }

    public int size() {
        return size;
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    /** The constant added to the scaled mean of squares before the power. */
    public double k() {
        return k;
    }

    /**
     * [batch, channels, ...] to the same shape; an empty input is returned itself, as in PyTorch.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has fewer than 3 dimensions, as
     *     in PyTorch
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, ...] with at"
                    + " least one axis after the channels");
        }
        if (x.size() == 0) {
            // Nothing to normalise, and no pooling takes an empty plane: the input itself, as PyTorch returns it.
            return x;
        }
        int[] dims = x.shape().dims();
        return Temporaries.freedWithoutGradients(() -> {
            // Squares as [batch, 1, channels, rest], zero-padded along the channels, averaged over windows of size.
            Tensor squares = x.square().reshape(dims[0], 1, dims[1], -1);
            Tensor padded = F.pad(squares, 0, 0, size / 2, (size - 1) / 2);
            Tensor mean = F.avgPool2d(padded, new int[] {size, 1}, new int[] {1, 1}, new int[] {0, 0}).reshape(dims);
            return x.div(mean.mul(alpha).add(k).pow(beta));
        });
    }

    /** PyTorch's {@code extra_repr}: {@code 2, alpha=0.0001, beta=0.75, k=1.0}. */
    @Override
    protected String extraRepr() {
        return size + ", alpha=" + PythonRepr.number(alpha) + ", beta=" + PythonRepr.number(beta) + ", k="
                + PythonRepr.number(k);
    }
}
