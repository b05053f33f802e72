package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Wishart distribution over symmetric positive-definite p x p matrices, as PyTorch's
 * {@code torch.distributions.Wishart(df, covariance_matrix=...)}, {@code (df, precision_matrix=...)} or
 * {@code (df, scale_tril=...)}: the law of sum_{k<df} x_k x_k^T for x_k ~ N(0, V) where df is whole. df [batch...]
 * (greater than p - 1) and the scale V, given as V, as V^-1 or as its lower Cholesky factor L [batch..., p, p],
 * broadcast over the batch; events are [p, p].
 * <pre>
 * logProb(X) = -df (p log(2) / 2 + sum(log diag L)) - mvlgamma(df / 2, p) + (df - p - 1) / 2 log det X
 *              - tr(V^-1 X) / 2
 * entropy    = (p + 1) (p log(2) / 2 + sum(log diag L)) + mvlgamma(df / 2, p) - (df - p - 1) / 2 mvdigamma(df / 2, p)
 *              + df p / 2
 * mean = df V,  mode = (df - p - 1) V (NaN where df <= p + 1),  variance_ij = df (V_ij^2 + V_ii V_jj)
 * </pre>
 * {@code rsample} is PyTorch's Bartlett decomposition: A lower-triangular with A_ii = sqrt(chi2(df - i)) (clamped to at
 * least eps, as PyTorch's) and standard normal A_ij below the diagonal, and the draw (L A)(L A)^T; gradients reach df
 * through the Chi2 draws' implicit reparameterisation. Draws that round to singular matrices are kept, where PyTorch
 * 1.13 redraws up to ten times (they are rare unless df is below p). PyTorch 1.13 registers no KL divergence for it.
 */
public final class Wishart extends Distribution {
    private static final double LOG_TWO = Math.log(2);

    private final Tensor df;
    /** L as given or factorised, with its own batch axes (PyTorch's {@code _unbroadcasted_scale_tril}). */
    private final Tensor scaleTril;
    /** The parameter the distribution was given: scaleTril, covarianceMatrix or precisionMatrix. */
    private final String parameter;

    private Wishart(Tensor df, Tensor scaleTril, Shape batch, String parameter, boolean validateArgs) {
        super(batch, Shape.of(scaleTril.dim(-1), scaleTril.dim(-1)), validateArgs);
        this.df = Tensors.expandTo(df, batch);
        this.scaleTril = scaleTril;
        this.parameter = parameter;
    }

    /** Wishart(df, L L^T) for df [batch...] and L [batch..., p, p], validated as the default says. */
    public static Wishart ofScaleTril(Tensor df, Tensor scaleTril) {
        return ofScaleTril(df, scaleTril, defaultValidateArgs());
    }

    /**
     * Wishart(df, L L^T), checking that df > p - 1 and that L is lower-triangular with a positive diagonal when
     * {@code validateArgs}.
     */
    public static Wishart ofScaleTril(Tensor df, Tensor scaleTril, boolean validateArgs) {
        Shape batch = batchShape("scaleTril", df, scaleTril);
        Wishart wishart = new Wishart(df, scaleTril, batch, "scaleTril", validateArgs);
        wishart.checkParameter("df", df, Constraint.greaterThan(scaleTril.dim(-1) - 1));
        wishart.checkParameter("scaleTril", scaleTril, Constraint.lowerCholesky());
        return wishart;
    }

    /** Wishart(df, covariance) for df [batch...] and covariance [batch..., p, p], validated as the default says. */
    public static Wishart ofCovarianceMatrix(Tensor df, Tensor covariance) {
        return ofCovarianceMatrix(df, covariance, defaultValidateArgs());
    }

    /**
     * Wishart(df, covariance), checking that df > p - 1 and the covariance is symmetric positive-definite when
     * {@code validateArgs}.
     *
     * @throws IllegalArgumentException where the covariance is not positive-definite, from the check or, unchecked,
     *                                  from its factorisation
     */
    public static Wishart ofCovarianceMatrix(Tensor df, Tensor covariance, boolean validateArgs) {
        Shape batch = batchShape("covarianceMatrix", df, covariance);
        checkBeforeFactorising(df, "covarianceMatrix", covariance, validateArgs);
        return new Wishart(df, Matrices.cholesky(covariance), batch, "covarianceMatrix", validateArgs);
    }

    /** Wishart(df, precision^-1) for df [batch...] and precision [batch..., p, p], validated as the default says. */
    public static Wishart ofPrecisionMatrix(Tensor df, Tensor precision) {
        return ofPrecisionMatrix(df, precision, defaultValidateArgs());
    }

    /**
     * Wishart(df, precision^-1), checking that df > p - 1 and the precision is symmetric positive-definite when
     * {@code validateArgs}; L is {@link Matrices#precisionToScaleTril}.
     *
     * @throws IllegalArgumentException where the precision is not positive-definite, from the check or, unchecked,
     *                                  from its factorisation
     */
    public static Wishart ofPrecisionMatrix(Tensor df, Tensor precision, boolean validateArgs) {
        Shape batch = batchShape("precisionMatrix", df, precision);
        checkBeforeFactorising(df, "precisionMatrix", precision, validateArgs);
        return new Wishart(df, Matrices.precisionToScaleTril(precision), batch, "precisionMatrix", validateArgs);
    }

    /** The checks of df and a covariance or precision, when validating, before the factorisation (as PyTorch's). */
    private static void checkBeforeFactorising(Tensor df, String name, Tensor matrix, boolean validateArgs) {
        if (validateArgs) {
            String owner = "Wishart(df: " + df.shape() + ", " + name + ": " + matrix.shape() + ")";
            Constraint.greaterThan(matrix.dim(-1) - 1).require(owner, "parameter df", df);
            Constraint.positiveDefinite().require(owner, "parameter " + name, matrix);
        }
    }

    /** The broadcast batch shape of df [...] and a matrix [..., p, p], after checking the matrix's shape. */
    private static Shape batchShape(String name, Tensor df, Tensor matrix) {
        if (matrix.rank() < 2 || matrix.dim(-1) != matrix.dim(-2)) {
            throw new IllegalArgumentException("Wishart: " + name + " " + matrix.shape()
                    + " must be square matrices [batch..., p, p]");
        }
        return Shape.broadcast("Wishart: the batch axes of df " + df.shape() + " and " + name + " " + matrix.shape(),
                df.shape(), matrix.shape().without(-1).without(-1));
    }

    /** The degrees of freedom [batch...]. */
    public Tensor df() {
        return df;
    }

    /** p, the size of the matrices. */
    public int dimension() {
        return scaleTril.dim(-1);
    }

    /** The lower Cholesky factor L of the scale, [batch..., p, p]. */
    public Tensor scaleTril() {
        return Tensors.expandTo(scaleTril, eventOfBatch());
    }

    /** The scale V = L L^T, [batch..., p, p]. */
    public Tensor covarianceMatrix() {
        return Tensors.expandTo(Matrices.timesTransposed(scaleTril, scaleTril), eventOfBatch());
    }

    /**
     * The inverse scale V^-1 = (L L^T)^-1, [batch..., p, p], by a Cholesky solve (PyTorch's {@code cholesky_inverse},
     * whose gradient with respect to L is a full matrix though only the triangle is read).
     */
    public Tensor precisionMatrix() {
        Tensor identity = Matrices.identity(scaleTril, dimension());
        return Tensors.expandTo(Linalg.choleskySolve(identity, scaleTril), eventOfBatch());
    }

    private Shape eventOfBatch() {
        return Shape.of(Tensors.concat(batchShape().dims(), eventShape().dims()));
    }

    /** df as [batch..., 1, 1], to scale matrices. */
    private Tensor dfMatrix() {
        return df.unsqueeze(-1).unsqueeze(-1);
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        int p = dimension();
        Tensor steps = df.fullLike(1, Shape.of(p)).cumsum(0).sub(1);
        Tensor chi2Df = df.unsqueeze(-1).sub(steps);
        Tensor diagonal = new Chi2(chi2Df, false).rsample(sampleShape).sqrt().clampMin(Finfo.eps(df.dtype()));
        Tensor below = Tensors.standardNormal(df, extendedShape(sampleShape)).tril(-1);
        Tensor factor = F.einsum("...ik,...kj->...ij", scaleTril, below.add(Matrices.diagonalMatrix(diagonal)));
        return Matrices.timesTransposed(factor, factor);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        int p = dimension();
        Tensor logDet = Linalg.slogdet(x).logabsdet();
        Tensor trace = Matrices.diagonal(Linalg.choleskySolve(x, scaleTril)).sum(-1, false);
        return df.mul(halfLogDetOfTwoScale()).neg()
                .sub(MultivariateGamma.logGamma(df.mul(0.5), p))
                .add(df.sub(p + 1).mul(0.5).mul(logDet))
                .sub(trace.mul(0.5));
    }

    /** p log(2) / 2 + sum(log diag L), half the log-determinant of 2 V: [L's batch...]. */
    private Tensor halfLogDetOfTwoScale() {
        return Matrices.diagonal(scaleTril).log().sum(-1, false).add(dimension() * LOG_TWO / 2);
    }

    @Override
    public Tensor entropy() {
        int p = dimension();
        Tensor half = df.mul(0.5);
        Tensor entropy = halfLogDetOfTwoScale().mul(p + 1)
                .add(MultivariateGamma.logGamma(half, p))
                .sub(df.sub(p + 1).mul(0.5).mul(MultivariateGamma.digamma(half, p)))
                .add(df.mul(p / 2.0));
        return Tensors.expandTo(entropy, batchShape());
    }

    @Override
    public Tensor mean() {
        return dfMatrix().mul(covarianceMatrix());
    }

    /** (df - p - 1) V, NaN where df <= p + 1 (no mode inside the support there), as PyTorch's. */
    @Override
    public Tensor mode() {
        Tensor factor = df.sub(dimension() + 1);
        return factor.maskedFill(factor.le(0), Double.NaN).unsqueeze(-1).unsqueeze(-1).mul(covarianceMatrix());
    }

    @Override
    public Tensor variance() {
        Tensor v = covarianceMatrix();
        Tensor diagonal = Matrices.diagonal(v);
        return dfMatrix().mul(v.square().add(diagonal.unsqueeze(-1).mul(diagonal.unsqueeze(-2))));
    }

    @Override
    public Constraint support() {
        return Constraint.positiveDefinite();
    }

    /** The same distribution over a larger batch; its factor L stays as given, broadcast where used. */
    @Override
    public Wishart expand(int... batchShape) {
        Shape batch = expandedBatch(batchShape);
        return new Wishart(Tensors.expandTo(df, batch), scaleTril, batch, parameter, validatesArgs());
    }

    @Override
    public String toString() {
        return "Wishart(df: " + df.shape() + ", " + parameter + ": " + scaleTril.shape() + ")";
    }
}
