package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Fisher-Snedecor (F) distribution of {@code df1} and {@code df2} degrees of freedom, as PyTorch's
 * {@code torch.distributions.FisherSnedecor(df1, df2)}: both positive, broadcast to the batch shape; values are
 * positive; events are scalars. {@code rsample} is X1 / X2 for X1 ~ Gamma(df1 / 2, df1) and X2 ~ Gamma(df2 / 2, df2),
 * reparameterised through {@link Gamma}'s draws, X2 and the ratio clamped from below to the dtype's smallest normal
 * number (as PyTorch's).
 * <pre>
 * logProb(x) = lgamma(h1 + h2) - lgamma(h1) - lgamma(h2) + h1 log(df1 / df2) + (h1 - 1) log(x)
 *              - (h1 + h2) log(1 + x df1 / df2),   h = df / 2
 * mean       = df2 / (df2 - 2)  (NaN for df2 &lt;= 2),  mode = (df1 - 2) / df1 df2 / (df2 + 2)  (NaN for df1 &lt;= 2)
 * variance   = 2 df2^2 (df1 + df2 - 2) / (df1 (df2 - 2)^2 (df2 - 4))  (NaN for df2 &lt;= 4)
 * </pre>
 * No cdf nor entropy (as in PyTorch 1.13).
 */
public final class FisherSnedecor extends Distribution {
    private final Tensor df1;
    private final Tensor df2;

    /** FisherSnedecor(df1, df2), validated as {@link Distribution#defaultValidateArgs()} says. */
    public FisherSnedecor(Tensor df1, Tensor df2) {
        this(df1, df2, defaultValidateArgs());
    }

    /** FisherSnedecor(df1, df2) with F32 scalar parameters. */
    public FisherSnedecor(double df1, double df2) {
        this(Tensor.scalar(df1), Tensor.scalar(df2));
    }

    /** FisherSnedecor(df1, df2), checking that both are positive when {@code validateArgs}. */
    public FisherSnedecor(Tensor df1, Tensor df2, boolean validateArgs) {
        this(Tensors.broadcastAll("FisherSnedecor", df1, df2), validateArgs);
    }

    private FisherSnedecor(Tensor[] parameters, boolean validateArgs) {
        super(parameters[0].shape(), Shape.scalar(), validateArgs);
        this.df1 = parameters[0];
        this.df2 = parameters[1];
        checkParameter("df1", df1, Constraint.positive());
        checkParameter("df2", df2, Constraint.positive());
    }

    /** The numerator's degrees of freedom, broadcast to the batch shape. */
    public Tensor df1() {
        return df1;
    }

    /** The denominator's degrees of freedom, broadcast to the batch shape. */
    public Tensor df2() {
        return df2;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        double tiny = Finfo.tiny(df1.dtype());
        Tensor x1 = new Gamma(df1.mul(0.5), df1, false).rsample(sampleShape);
        Tensor x2 = new Gamma(df2.mul(0.5), df2, false).rsample(sampleShape).clampMin(tiny);
        return x1.div(x2).clampMin(tiny);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        Tensor ct1 = df1.mul(0.5);
        Tensor ct2 = df2.mul(0.5);
        Tensor ct3 = df1.div(df2);
        Tensor t1 = ct1.add(ct2).lgamma().sub(ct1.lgamma())
                .sub(ct2.lgamma());
        Tensor t2 = ct1.mul(ct3.log()).add(ct1.sub(1).mul(x.log()));
        Tensor t3 = ct1.add(ct2).mul(ct3.mul(x).log1p());
        return t1.add(t2).sub(t3);
    }

    /** PyTorch 1.13 has none. */
    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy (as in PyTorch 1.13)");
    }

    @Override
    public Tensor mean() {
        Tensor d2 = df2.maskedFill(df2.le(2), Double.NaN);
        return d2.div(d2.sub(2));
    }

    @Override
    public Tensor mode() {
        Tensor mode = df1.sub(2).div(df1).mul(df2).div(df2.add(2));
        return mode.maskedFill(df1.le(2), Double.NaN);
    }

    @Override
    public Tensor variance() {
        Tensor d2 = df2.maskedFill(df2.le(4), Double.NaN);
        Tensor numerator = d2.square().mul(2).mul(df1.add(d2).sub(2));
        return numerator.div(df1.mul(d2.sub(2).square()).mul(d2.sub(4)));
    }

    @Override
    public Constraint support() {
        return Constraint.positive();
    }

    @Override
    public FisherSnedecor expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return new FisherSnedecor(Tensors.expandTo(df1, shape), Tensors.expandTo(df2, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "FisherSnedecor(df1: " + df1.shape() + ", df2: " + df2.shape() + ")";
    }
}
