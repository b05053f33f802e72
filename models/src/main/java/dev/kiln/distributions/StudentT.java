package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * Student's t distribution of {@code df} degrees of freedom, location {@code loc} and scale {@code scale}, as PyTorch's
 * {@code torch.distributions.StudentT(df, loc, scale)}: df and scale positive, loc real, broadcast to the batch
 * shape; events are scalars. {@code rsample} is {@code loc + scale X / sqrt(Z / df)} for X ~ N(0, 1) and
 * Z ~ {@link Chi2}(df), drawn in that order, gradients reaching df through Z's implicit reparameterisation.
 * <pre>
 * logProb(x) = -(df + 1)/2 log(1 + y^2 / df) - log(scale) - log(df)/2 - log(pi)/2 - lgamma(df/2) + lgamma((df + 1)/2),
 *              y = (x - loc) / scale
 * entropy    = log(scale) + (df + 1)/2 (digamma((df + 1)/2) - digamma(df/2)) + log(df)/2 + lbeta(df/2, 1/2)
 * mean       = loc where df &gt; 1, else NaN
 * variance   = scale^2 df / (df - 2) where df &gt; 2, infinity where 1 &lt; df &lt;= 2, NaN where df &lt;= 1
 * mode       = loc
 * </pre>
 * No cdf (PyTorch 1.13 has none).
 */
public final class StudentT extends Distribution {
    private static final double HALF_LOG_PI = 0.5 * Math.log(Math.PI);

    private final Tensor df;
    private final Tensor loc;
    private final Tensor scale;
    private final Chi2 chi2;

    /** StudentT(df, loc, scale), validated as {@link Distribution#defaultValidateArgs()} says. */
    public StudentT(Tensor df, Tensor loc, Tensor scale) {
        this(df, loc, scale, defaultValidateArgs());
    }

    /** StudentT(df, 0, 1), validated as {@link Distribution#defaultValidateArgs()} says. */
    public StudentT(Tensor df) {
        this(df, df.fullLike(0), df.fullLike(1));
    }

    /** StudentT(df, loc, scale) with F32 scalar parameters. */
    public StudentT(double df, double loc, double scale) {
        this(Tensor.scalar(df), Tensor.scalar(loc), Tensor.scalar(scale));
    }

    /** StudentT(df, loc, scale), checking that df and scale are positive and loc not NaN when {@code validateArgs}. */
    public StudentT(Tensor df, Tensor loc, Tensor scale, boolean validateArgs) {
        this(Tensors.broadcastAll("StudentT", df, loc, scale), validateArgs);
    }

    private StudentT(Tensor[] parameters, boolean validateArgs) {
        super(parameters[0].shape(), Shape.scalar(), validateArgs);
        this.df = parameters[0];
        this.loc = parameters[1];
        this.scale = parameters[2];
        checkParameter("df", df, Constraint.positive());
        checkParameter("loc", loc, Constraint.real());
        checkParameter("scale", scale, Constraint.positive());
        this.chi2 = new Chi2(df, false);
    }

    /** The degrees of freedom, broadcast to the batch shape. */
    public Tensor df() {
        return df;
    }

    /** The location (the mean where df &gt; 1), broadcast to the batch shape. */
    public Tensor loc() {
        return loc;
    }

    /** The scale, broadcast to the batch shape. */
    public Tensor scale() {
        return scale;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor x = Tensors.standardNormal(df, extendedShape(sampleShape));
        Tensor z = chi2.rsample(sampleShape);
        return loc.add(scale.mul(x.mul(z.div(df).rsqrt())));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor y = checkedValue("logProb", value).sub(loc).div(scale);
        Tensor normaliser = scale.log().add(df.log().mul(0.5)).add(HALF_LOG_PI)
                .add(df.mul(0.5).lgamma()).sub(df.add(1).mul(0.5).lgamma());
        return df.add(1).mul(-0.5).mul(y.square().div(df).log1p()).sub(normaliser);
    }

    @Override
    public Tensor entropy() {
        Tensor half = df.mul(0.5);
        Tensor halfPlus = df.add(1).mul(0.5);
        Tensor lbeta = half.lgamma().add(HALF_LOG_PI).sub(halfPlus.lgamma());
        return scale.log().add(halfPlus.mul(halfPlus.digamma().sub(half.digamma())))
                .add(df.log().mul(0.5)).add(lbeta);
    }

    @Override
    public Tensor mean() {
        return Tensor.where(df.gt(1), loc, loc.fullLike(Double.NaN));
    }

    @Override
    public Tensor variance() {
        Tensor finite = df.gt(2);
        // df where the formula is used, 3 elsewhere, so that no gradient passes through df / 0.
        Tensor safeDf = Tensor.where(finite, df, df.fullLike(3));
        Tensor formula = scale.square().mul(safeDf).div(safeDf.sub(2));
        Tensor heavy = Tensor.where(df.gt(1), df.fullLike(Double.POSITIVE_INFINITY), df.fullLike(Double.NaN));
        return Tensor.where(finite, formula, heavy);
    }

    @Override
    public Tensor mode() {
        return loc;
    }

    @Override
    public Constraint support() {
        return Constraint.real();
    }

    @Override
    public StudentT expand(int... batchShape) {
        Shape target = expandedBatch(batchShape);
        return new StudentT(Tensors.expandTo(df, target), Tensors.expandTo(loc, target),
                Tensors.expandTo(scale, target), validatesArgs());
    }

    @Override
    public String toString() {
        return "StudentT(df: " + df.shape() + ", loc: " + loc.shape() + ", scale: " + scale.shape() + ")";
    }
}
