package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * {@link AlphaDropout} of whole channels, like PyTorch's {@code torch.nn.FeatureAlphaDropout(p)}: input
 * [batch, channels, ...] (e.g. [batch, channels, height, width]), output the same shape. In training mode each
 * sample's channel is dropped with probability {@code p}, all its elements to the same saturation value, and the
 * map {@code a y + b} of AlphaDropout follows; evaluation mode is the identity. A 2-D input [batch, channels] has
 * one element per channel, so it drops elements, as PyTorch's does.
 */
public class FeatureAlphaDropout extends AlphaDropout {
    /** p = 0.5, PyTorch's default. */
    public FeatureAlphaDropout() {
        this(0.5);
    }

    /** Drop probability {@code p} in [0, 1). */
    public FeatureAlphaDropout(double p) {
        super(p);
    }

    /**
     * [batch, channels, ...] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has fewer than 2 dimensions
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, ...]");
        }
        return super.forward(x);
    }

    /** One draw per (sample, channel): [batch, channels, 1, ...]. */
    @Override
    Tensor keepMask(Tensor x) {
        int[] dims = new int[x.rank()];
        Arrays.fill(dims, 1);
        dims[0] = x.dim(0);
        dims[1] = x.dim(1);
        return x.bernoulliLike(1 - p(), Shape.of(dims));
    }
}
