package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * The chi-squared distribution of {@code df} degrees of freedom (positive), as PyTorch's
 * {@code torch.distributions.Chi2(df)}: the {@link Gamma} of concentration df / 2 and rate 1/2, whose methods (and
 * divergence, registered for Gamma pairs) it shares; the batch shape is df's.
 * <pre>
 * mean = df,  variance = 2 df,  mode = max(df - 2, 0)
 * </pre>
 */
public final class Chi2 extends Gamma {
    private final Tensor df;

    /** Chi2(df), validated as {@link Distribution#defaultValidateArgs()} says. */
    public Chi2(Tensor df) {
        this(df, defaultValidateArgs());
    }

    /** Chi2(df) with an F32 scalar df. */
    public Chi2(double df) {
        this(Tensor.scalar(df));
    }

    /** Chi2(df), checking that df is positive when {@code validateArgs}. */
    public Chi2(Tensor df, boolean validateArgs) {
        super(new Tensor[] {df.mul(0.5), df.fullLike(0.5)}, validateArgs, false);
        this.df = df;
        checkParameter("df", df, Constraint.positive());
    }

    /** The degrees of freedom. */
    public Tensor df() {
        return df;
    }

    /** The same distribution over {@code batchShape}, a Chi2 of df broadcast to it. */
    @Override
    public Chi2 expand(int... batchShape) {
        return new Chi2(Tensors.expandTo(df, expandedBatch(batchShape)), validatesArgs());
    }

    @Override
    public String toString() {
        return "Chi2(df: " + df.shape() + ")";
    }
}
