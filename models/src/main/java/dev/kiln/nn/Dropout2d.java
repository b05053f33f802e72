package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Channel dropout, like PyTorch's {@code torch.nn.Dropout2d(p)}: input [batch, channels, height, width], output the
 * same shape. In training mode each sample's channel (a whole [height, width] feature map) is zeroed with
 * probability {@code p} and the others are scaled by 1/(1-p), so evaluation mode is the identity; for convolutional
 * features, whose neighbouring pixels are too alike for {@link Dropout} of single elements to regularise. Draws
 * from the engine's seeded random stream on the input's device, as {@link Dropout} does.
 */
public class Dropout2d extends Module {
    private final double p;

    /** p = 0.5, PyTorch's default. */
    public Dropout2d() {
        this(0.5);
    }

    /** Drop probability {@code p} in [0, 1); 1 is refused, as {@link Dropout} refuses it. */
    public Dropout2d(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout2d: probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    /**
     * [batch, channels, height, width] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D: PyTorch 1.13 takes
     *     a 3-D input as [batch, channels, length] and warns that it will take it as unbatched instead
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, height, width]");
        }
        if (!isTraining() || p == 0) {
            return x;
        }
        Tensor keep = x.bernoulliLike(1 - p, Shape.of(x.dim(0), x.dim(1), 1, 1));
        return x.mul(consume(keep, k -> k.mul(1 / (1 - p))));
    }

    /** PyTorch's {@code extra_repr}: {@code p=0.5, inplace=False}. */
    @Override
    protected String extraRepr() {
        return "p=" + PythonRepr.number(p) + ", inplace=False";
    }
}
