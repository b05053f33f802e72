package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Inverted dropout, like PyTorch's {@code torch.nn.Dropout(p)}: in training mode each element is zeroed
 * with probability {@code p} and the others are scaled by 1/(1-p), so evaluation mode is the identity.
 * Any shape, e.g. [batch, features] to the same. Draws from the engine's seeded random stream.
 */
public class Dropout extends Module {
    private final double p;

    /** p = 0.5, PyTorch's default. */
    public Dropout() {
        this(0.5);
    }

    /**
     * Drop probability {@code p} in [0, 1). PyTorch also takes 1 and then outputs zeros; here it is refused, as a
     * layer that drops everything is a mistake rather than a setting.
     */
    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout(x, p, isTraining());
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "p=" + PythonRepr.number(p) + ", inplace=False";
    }
}
