package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Channel dropout of volumes, like PyTorch's {@code torch.nn.Dropout3d(p)}: input [batch, channels, depth, height,
 * width] (or unbatched [channels, depth, height, width], as PyTorch 1.13 takes it), output the same shape. In training
 * mode each sample's channel (a whole [depth, height, width] feature volume) is zeroed with probability {@code p} and
 * the others are scaled by 1/(1-p), so evaluation mode is the identity. Draws from the engine's seeded random stream,
 * on the input's device, as {@link Dropout} does.
 */
public class Dropout3d extends Module {
    private final double p;

    /** p = 0.5, PyTorch's default. */
    public Dropout3d() {
        this(0.5);
    }

    /** Drop probability {@code p} in [0, 1); 1 is refused, as {@link Dropout} refuses it. */
    public Dropout3d(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout3d: probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    /**
     * [batch, channels, depth, height, width] or unbatched [channels, depth, height, width] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or 5-D
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 && x.rank() != 5) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape()
                    + " must be [batch, channels, depth, height, width] or unbatched [channels, depth, height, width]");
        }
        if (!isTraining() || p == 0) {
            return x;
        }
        int[] perChannel = x.shape().dims();
        for (int a = x.rank() - 3; a < x.rank(); a++) {
            perChannel[a] = 1;
        }
        Tensor keep = x.bernoulliLike(1 - p, Shape.of(perChannel));
        return x.mul(consume(keep, k -> k.mul(1 / (1 - p))));
    }

    /** PyTorch's {@code extra_repr}: {@code p=0.5, inplace=False}. */
    @Override
    protected String extraRepr() {
        return "p=" + PythonRepr.number(p) + ", inplace=False";
    }
}
