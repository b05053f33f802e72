package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The multivariate normal distribution N(loc, L L^T), as PyTorch's
 * {@code torch.distributions.MultivariateNormal(loc, scale_tril=...)} or {@code (loc, covariance_matrix=...)}: loc
 * [batch..., d] and a lower-triangular factor L with a positive diagonal, or a symmetric positive-definite covariance
 * [batch..., d, d] (factorised by Cholesky), whose batch axes broadcast; events are [d]. {@code rsample} is
 * {@code loc + L eps} with eps ~ N(0, I).
 * <pre>
 * logProb(x) = -(d log(2 pi) + |L^-1 (x - loc)|^2) / 2 - sum(log diag L)
 * entropy    = d (1 + log(2 pi)) / 2 + sum(log diag L),  variance = the row sums of L^2
 * </pre>
 * The factorisation and the triangular solves take a few tensor operations per dimension (they are composed, so
 * gradients flow and every backend runs them): made for the few dimensions of latent codes and continuous actions.
 * A precision matrix is not offered; a low-rank-plus-diagonal covariance is {@link LowRankMultivariateNormal}.
 */
public final class MultivariateNormal extends Distribution {
    private static final double LOG_TWO_PI = Math.log(2 * Math.PI);

    private final Tensor loc;
    /** L as given or factorised, with its own batch axes (PyTorch's {@code _unbroadcasted_scale_tril}). */
    private final Tensor scaleTril;
    private final boolean fromCovariance;

    private MultivariateNormal(Tensor loc, Tensor scaleTril, Shape batch, boolean fromCovariance, boolean validateArgs) {
        super(batch, Shape.of(loc.dim(-1)), validateArgs);
        this.loc = Tensors.expandTo(loc, batch.insert(batch.rank(), loc.dim(-1)));
        this.scaleTril = scaleTril;
        this.fromCovariance = fromCovariance;
    }

    /** N(loc, L L^T) for loc [batch..., d] and L [batch..., d, d], validated as the default says. */
    public static MultivariateNormal ofScaleTril(Tensor loc, Tensor scaleTril) {
        return ofScaleTril(loc, scaleTril, defaultValidateArgs());
    }

    /** N(loc, L L^T), checking that L is lower-triangular with a positive diagonal when {@code validateArgs}. */
    public static MultivariateNormal ofScaleTril(Tensor loc, Tensor scaleTril, boolean validateArgs) {
        Shape batch = batchShape("scaleTril", loc, scaleTril);
        MultivariateNormal mvn = new MultivariateNormal(loc, scaleTril, batch, false, validateArgs);
        mvn.checkParameter("loc", loc, Constraint.realVector());
        mvn.checkParameter("scaleTril", scaleTril, Constraint.lowerCholesky());
        return mvn;
    }

    /** N(loc, covariance) for loc [batch..., d] and covariance [batch..., d, d], validated as the default says. */
    public static MultivariateNormal ofCovarianceMatrix(Tensor loc, Tensor covariance) {
        return ofCovarianceMatrix(loc, covariance, defaultValidateArgs());
    }

    /** N(loc, covariance), checking that it is symmetric positive-definite when {@code validateArgs}. */
    public static MultivariateNormal ofCovarianceMatrix(Tensor loc, Tensor covariance, boolean validateArgs) {
        Shape batch = batchShape("covarianceMatrix", loc, covariance);
        MultivariateNormal mvn = new MultivariateNormal(loc, Matrices.cholesky(covariance), batch, true, validateArgs);
        mvn.checkParameter("loc", loc, Constraint.realVector());
        mvn.checkParameter("covarianceMatrix", covariance, Constraint.positiveDefinite());
        return mvn;
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
        return new MultivariateNormal(expandedLoc, scaleTril, batch, fromCovariance, validatesArgs());
    }

    @Override
    public String toString() {
        return "MultivariateNormal(loc: " + loc.shape() + (fromCovariance ? ", covarianceMatrix: " : ", scaleTril: ")
                + scaleTril.shape() + ")";
    }
}
