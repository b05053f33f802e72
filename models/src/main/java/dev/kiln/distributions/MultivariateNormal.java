package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The multivariate normal distribution N(loc, L L^T), as PyTorch's
 * {@code torch.distributions.MultivariateNormal(loc, scale_tril=...)}, {@code (loc, covariance_matrix=...)} or
 * {@code (loc, precision_matrix=...)}: loc [batch..., d] and a lower-triangular factor L with a positive diagonal, or a
 * symmetric positive-definite covariance or precision [batch..., d, d] (factorised by Cholesky), whose batch axes
 * broadcast; events are [d]. {@code rsample} is {@code loc + L eps} with eps ~ N(0, I).
 * <pre>
 * logProb(x) = -(d log(2 pi) + |L^-1 (x - loc)|^2) / 2 - sum(log diag L)
 * entropy    = d (1 + log(2 pi)) / 2 + sum(log diag L),  variance = the row sums of L^2
 * </pre>
 * The factorisation and the triangular solves are {@link Linalg}'s, differentiable on every backend. A
 * low-rank-plus-diagonal covariance is {@link LowRankMultivariateNormal}.
 */
public final class MultivariateNormal extends Distribution {
    private static final double LOG_TWO_PI = Math.log(2 * Math.PI);

    private final Tensor loc;
    /** L as given or factorised, with its own batch axes (PyTorch's {@code _unbroadcasted_scale_tril}). */
    private final Tensor scaleTril;
    /** The parameter the distribution was given: scaleTril, covarianceMatrix or precisionMatrix. */
    private final String parameter;

    private MultivariateNormal(Tensor loc, Tensor scaleTril, Shape batch, String parameter, boolean validateArgs) {
        super(batch, Shape.of(loc.dim(-1)), validateArgs);
        this.loc = Tensors.expandTo(loc, batch.insert(batch.rank(), loc.dim(-1)));
        this.scaleTril = scaleTril;
        this.parameter = parameter;
    }

    /** N(loc, L L^T) for loc [batch..., d] and L [batch..., d, d], validated as the default says. */
    public static MultivariateNormal ofScaleTril(Tensor loc, Tensor scaleTril) {
        return ofScaleTril(loc, scaleTril, defaultValidateArgs());
    }

    /** N(loc, L L^T), checking that L is lower-triangular with a positive diagonal when {@code validateArgs}. */
    public static MultivariateNormal ofScaleTril(Tensor loc, Tensor scaleTril, boolean validateArgs) {
        Shape batch = batchShape("scaleTril", loc, scaleTril);
        MultivariateNormal mvn = new MultivariateNormal(loc, scaleTril, batch, "scaleTril", validateArgs);
        mvn.checkParameter("loc", loc, Constraint.realVector());
        mvn.checkParameter("scaleTril", scaleTril, Constraint.lowerCholesky());
        return mvn;
    }

    /** N(loc, covariance) for loc [batch..., d] and covariance [batch..., d, d], validated as the default says. */
    public static MultivariateNormal ofCovarianceMatrix(Tensor loc, Tensor covariance) {
        return ofCovarianceMatrix(loc, covariance, defaultValidateArgs());
    }

    /**
     * N(loc, covariance), checking that it is symmetric positive-definite when {@code validateArgs}.
     *
     * @throws IllegalArgumentException where the covariance is not positive-definite, from the check or, unchecked,
     *                                  from its factorisation ({@link Linalg#cholesky})
     */
    public static MultivariateNormal ofCovarianceMatrix(Tensor loc, Tensor covariance, boolean validateArgs) {
        Shape batch = batchShape("covarianceMatrix", loc, covariance);
        checkBeforeFactorising(loc, "covarianceMatrix", covariance, batch, validateArgs);
        return new MultivariateNormal(loc, Matrices.cholesky(covariance), batch, "covarianceMatrix", validateArgs);
    }

    /** N(loc, precision^-1) for loc [batch..., d] and precision [batch..., d, d], validated as the default says. */
    public static MultivariateNormal ofPrecisionMatrix(Tensor loc, Tensor precision) {
        return ofPrecisionMatrix(loc, precision, defaultValidateArgs());
    }

    /**
     * N(loc, precision^-1), checking that the precision is symmetric positive-definite when {@code validateArgs}; L is
     * {@link Matrices#precisionToScaleTril}.
     *
     * @throws IllegalArgumentException where the precision is not positive-definite, from the check or, unchecked,
     *                                  from its factorisation
     */
    public static MultivariateNormal ofPrecisionMatrix(Tensor loc, Tensor precision, boolean validateArgs) {
        Shape batch = batchShape("precisionMatrix", loc, precision);
        checkBeforeFactorising(loc, "precisionMatrix", precision, batch, validateArgs);
        return new MultivariateNormal(loc, Matrices.precisionToScaleTril(precision), batch, "precisionMatrix",
                validateArgs);
    }

    /**
     * The checks of loc and a covariance or precision, when validating, before the factorisation that would refuse
     * the matrix in its own words (PyTorch validates first too); named as {@link #toString} names the distribution.
     */
    private static void checkBeforeFactorising(Tensor loc, String name, Tensor matrix, Shape batch,
                                               boolean validateArgs) {
        if (validateArgs) {
            String owner = "MultivariateNormal(loc: " + batch.insert(batch.rank(), loc.dim(-1)) + ", " + name + ": "
                    + matrix.shape() + ")";
            Constraint.realVector().require(owner, "parameter loc", loc);
            Constraint.positiveDefinite().require(owner, "parameter " + name, matrix);
        }
    }

    /** The broadcast batch shape of loc [..., d] and a matrix [..., d, d], after checking their shapes. */
    private static Shape batchShape(String name, Tensor loc, Tensor matrix) {
        if (loc.rank() < 1 || matrix.rank() < 2 || matrix.dim(-1) != matrix.dim(-2)
                || matrix.dim(-1) != loc.dim(-1)) {
            throw new IllegalArgumentException("MultivariateNormal: loc " + loc.shape() + " and " + name + " "
                    + matrix.shape() + " must be [batch..., d] and [batch..., d, d]");
        }
        return Shape.broadcast("MultivariateNormal: batch axes of loc " + loc.shape() + " and " + name + " "
                + matrix.shape(), loc.shape().without(-1), matrix.shape().without(-1).without(-1));
    }

    /** The mean [batch..., d]. */
    public Tensor loc() {
        return loc;
    }

    /** The lower Cholesky factor L of the covariance, [batch..., d, d]. */
    public Tensor scaleTril() {
        return Tensors.expandTo(scaleTril, batchShape().insert(batchShape().rank(), dimension())
                .insert(batchShape().rank(), dimension()));
    }

    /** The covariance L L^T, [batch..., d, d]. */
    public Tensor covarianceMatrix() {
        Tensor tril = scaleTril();
        return Matrices.timesTransposed(tril, tril);
    }

    /** The precision, the inverse covariance {@code L^-T L^-1}, [batch..., d, d] (PyTorch's {@code precision_matrix}). */
    public Tensor precisionMatrix() {
        Tensor inverse = Matrices.solveLower(scaleTril, Matrices.identity(scaleTril, dimension()));
        Tensor precision = F.einsum("...ki,...kj->...ij", inverse, inverse);
        return Tensors.expandTo(precision, batchShape().insert(batchShape().rank(), dimension())
                .insert(batchShape().rank(), dimension()));
    }

    /** The unbroadcast factor, for {@link KL}. */
    Tensor unbroadcastScaleTril() {
        return scaleTril;
    }

    /** d, the event size. */
    public int dimension() {
        return loc.dim(-1);
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor eps = Tensors.standardNormal(loc, extendedShape(sampleShape));
        return loc.add(Matrices.timesVector(scaleTril, eps));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor distance = Matrices.mahalanobis(scaleTril, checkedValue("logProb", value).sub(loc));
        return distance.add(dimension() * LOG_TWO_PI).mul(-0.5).sub(halfLogDet());
    }

    /** {@code sum(log diag L)}, half the log-determinant of the covariance: [L's batch...]. */
    Tensor halfLogDet() {
        return Matrices.diagonal(scaleTril).log().sum(-1, false);
    }

    @Override
    public Tensor entropy() {
        return Tensors.expandTo(halfLogDet().add(0.5 * dimension() * (1 + LOG_TWO_PI)), batchShape());
    }

    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Tensor variance() {
        return Tensors.expandTo(scaleTril.square().sum(-1, false), loc.shape());
    }

    @Override
    public Constraint support() {
        return Constraint.realVector();
    }

    @Override
    public Tensor mode() {
        return loc;
    }

    /** The same distribution over a larger batch; its factor L stays as given, broadcast where used. */
    @Override
    public MultivariateNormal expand(int... batchShape) {
        Shape batch = expandedBatch(batchShape);
        Tensor expandedLoc = Tensors.expandTo(loc, batch.insert(batch.rank(), dimension()));
        return new MultivariateNormal(expandedLoc, scaleTril, batch, parameter, validatesArgs());
    }

    @Override
    public String toString() {
        return "MultivariateNormal(loc: " + loc.shape() + ", " + parameter + ": " + scaleTril.shape() + ")";
    }
}
