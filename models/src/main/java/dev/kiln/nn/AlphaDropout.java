package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Alpha dropout for self-normalising (SELU) networks, like PyTorch's {@code torch.nn.AlphaDropout(p)}: in training
 * mode each element is dropped with probability {@code p} to SELU's saturation value {@code -alpha'} (alpha' =
 * {@link #ALPHA}, SELU's lambda times alpha) rather than to 0, and then every element is mapped by {@code a y + b}
 * with {@code a = ((1 - p)(1 + p alpha'^2))^(-1/2)} and {@code b = a alpha' p}, so that an input of mean 0 and
 * variance 1 keeps them. A kept x becomes {@code a x + a alpha' p} (gradient a), a dropped one
 * {@code -a alpha' (1 - p)} (gradient 0). Evaluation mode is the identity. Any shape, e.g. [batch, features] to the
 * same. Draws from the engine's seeded random stream, as {@link Dropout} does.
 */
public class AlphaDropout extends Module {
    /** SELU's lambda times its alpha: minus the value SELU approaches for very negative inputs. */
    public static final double ALPHA = 1.7580993408473766;

    private final double p;

    /** p = 0.5, PyTorch's default. */
    public AlphaDropout() {
        this(0.5);
    }

    /** Drop probability {@code p} in [0, 1); 1 is refused, as {@link Dropout} refuses it. */
    public AlphaDropout(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        double a = 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p));
        return Temporaries.freedWithoutGradients(() -> {
            Tensor keep = keepMask(x);
            // PyTorch's order: x * (a keep) + (alpha' a (keep - 1) + alpha' a p).
            Tensor shift = keep.sub(1).mul(ALPHA * a).add(ALPHA * a * p);
            return x.mul(keep.mul(a)).add(shift);
        });
    }

    /** 1 for each kept element, else 0, drawn with probability 1 - p: one per element, or broadcasting over x. */
    Tensor keepMask(Tensor x) {
        return x.bernoulliLike(1 - p);
    }

    /** PyTorch's {@code extra_repr}: {@code p=0.5, inplace=False}. */
    @Override
    protected String extraRepr() {
        return "p=" + PythonRepr.number(p) + ", inplace=False";
    }
}
