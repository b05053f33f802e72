package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The multivariate normal distribution of a low-rank-plus-diagonal covariance W W^T + diag(D), as PyTorch's
 * {@code torch.distributions.LowRankMultivariateNormal(loc, cov_factor, cov_diag)}: loc [batch..., d], the factor W
 * [batch..., d, m] and the positive diagonal D [batch..., d], whose batch axes broadcast; events are [d].
 * {@code rsample} is {@code loc + W eps_W + sqrt(D) eps_D} with eps_W ~ N(0, I_m) and eps_D ~ N(0, I_d).
 *
 * <p>As in PyTorch, nothing d by d is factorised: with the m by m capacitance C = I + W^T D^-1 W and its Cholesky
 * factor L_C, the matrix determinant lemma and the Woodbury identity give
 * <pre>
 * log det(cov)      = 2 sum(log diag L_C) + sum(log D)
 * x^T cov^-1 x      = sum(x^2 / D) - |L_C^-1 W^T D^-1 x|^2
 * logProb(x)        = -(d log(2 pi) + log det(cov) + (x - loc)^T cov^-1 (x - loc)) / 2
 * entropy           = (d (1 + log(2 pi)) + log det(cov)) / 2,  variance = the row sums of W^2 + D
 * </pre>
 * The covariance, its lower Cholesky factor and the precision are offered as [batch..., d, d] matrices.
 */
public final class LowRankMultivariateNormal extends Distribution {
    private static final double LOG_TWO_PI = Math.log(2 * Math.PI);

    private final Tensor loc;
    private final Tensor covFactor;
    private final Tensor covDiag;
    /** W and D as given, with their own batch axes (PyTorch's {@code _unbroadcasted_cov_factor} and _diag). */
    private final Tensor factor;
    private final Tensor diag;
    private final Tensor capacitanceTril;

    private LowRankMultivariateNormal(Tensor loc, Tensor factor, Tensor diag, Shape batch, boolean validateArgs) {
        super(batch, Shape.of(loc.dim(-1)), validateArgs);
        int d = loc.dim(-1);
        Shape vectors = batch.insert(batch.rank(), d);
        this.loc = Tensors.expandTo(loc, vectors);
        this.covDiag = Tensors.expandTo(diag, vectors);
        this.covFactor = Tensors.expandTo(factor, vectors.insert(vectors.rank(), factor.dim(-1)));
        this.factor = factor;
        this.diag = diag;
        Tensor gram = Matrices.timesTransposed(factorOverDiag(factor, diag).transpose(-2, -1),
                factor.transpose(-2, -1));
        this.capacitanceTril = Matrices.cholesky(Matrices.identity(factor, factor.dim(-1)).add(gram));
    }

    /** N(loc, W W^T + diag(D)) for loc [batch..., d], W [batch..., d, m] and D [batch..., d], validated by default. */
    public static LowRankMultivariateNormal of(Tensor loc, Tensor covFactor, Tensor covDiag) {
        return of(loc, covFactor, covDiag, defaultValidateArgs());
    }

    /**
     * N(loc, W W^T + diag(D)), checking that loc and W are not NaN and D is positive when {@code validateArgs}.
     *
     * @throws IllegalArgumentException naming the shapes where loc is not [..., d], W not [..., d, m] or D not
     *     [..., d], or their batch axes do not broadcast
     */
    public static LowRankMultivariateNormal of(Tensor loc, Tensor covFactor, Tensor covDiag, boolean validateArgs) {
        if (loc.rank() < 1 || covFactor.rank() < 2 || covDiag.rank() < 1 || covFactor.dim(-2) != loc.dim(-1)
                || covDiag.dim(-1) != loc.dim(-1)) {
            throw new IllegalArgumentException("LowRankMultivariateNormal: loc " + loc.shape() + ", covFactor "
                    + covFactor.shape() + " and covDiag " + covDiag.shape()
                    + " must be [batch..., d], [batch..., d, m] and [batch..., d]");
        }
        Shape batch = Shape.broadcast("LowRankMultivariateNormal: batch axes of loc " + loc.shape() + ", covFactor "
                + covFactor.shape() + " and covDiag " + covDiag.shape(), loc.shape().without(-1),
                covFactor.shape().without(-1).without(-1));
        batch = Shape.broadcast("LowRankMultivariateNormal: batch axes of covDiag " + covDiag.shape(), batch,
                covDiag.shape().without(-1));
        LowRankMultivariateNormal d = new LowRankMultivariateNormal(loc, covFactor, covDiag, batch, validateArgs);
        d.checkParameter("loc", loc, Constraint.realVector());
        d.checkParameter("covFactor", covFactor, Constraint.independent(Constraint.real(), 2));
        d.checkParameter("covDiag", covDiag, Constraint.independent(Constraint.positive(), 1));
        return d;
    }

    /** D^-1 W, each row of W divided by its element of D: [..., d, m], the transpose of W^T D^-1. */
    private static Tensor factorOverDiag(Tensor factor, Tensor diag) {
        return factor.div(diag.unsqueeze(-1));
    }

    /** The mean [batch..., d]. */
    public Tensor loc() {
        return loc;
    }

    /** The factor W, [batch..., d, m]. */
    public Tensor covFactor() {
        return covFactor;
    }

    /** The diagonal D, [batch..., d]. */
    public Tensor covDiag() {
        return covDiag;
    }

    /** d, the event size. */
    public int dimension() {
        return loc.dim(-1);
    }

    /** W W^T + diag(D), [batch..., d, d]. */
    public Tensor covarianceMatrix() {
        Tensor covariance = Matrices.timesTransposed(factor, factor).add(Matrices.diagonalMatrix(diag));
        return Tensors.expandTo(covariance, matrixShape());
    }

    /** The covariance's lower Cholesky factor sqrt(D) chol(I + (W / sqrt(D)) (W / sqrt(D))^T), [batch..., d, d]. */
    public Tensor scaleTril() {
        Tensor rootDiag = diag.sqrt().unsqueeze(-1);
        Tensor scaled = factor.div(rootDiag);
        Tensor k = Matrices.identity(factor, dimension()).add(Matrices.timesTransposed(scaled, scaled));
        return Tensors.expandTo(rootDiag.mul(Matrices.cholesky(k)), matrixShape());
    }

    /** The inverse covariance diag(1/D) - A^T A with A = L_C^-1 W^T D^-1 (Woodbury), [batch..., d, d]. */
    public Tensor precisionMatrix() {
        Tensor a = woodburyFactor();
        Tensor precision = Matrices.diagonalMatrix(diag.reciprocal()).sub(Matrices.timesTransposed(a.transpose(-2, -1),
                a.transpose(-2, -1)));
        return Tensors.expandTo(precision, matrixShape());
    }

    private Shape matrixShape() {
        Shape batch = batchShape();
        return batch.insert(batch.rank(), dimension()).insert(batch.rank(), dimension());
    }

    /** A = L_C^-1 W^T D^-1, [.., m, d] (PyTorch's {@code solve_triangular(capacitance_tril, Wt_Dinv)}). */
    Tensor woodburyFactor() {
        return Matrices.solveLower(capacitanceTril, factorOverDiag(factor, diag).transpose(-2, -1));
    }

    /** log det(W W^T + diag(D)), [W's and D's batch...] (PyTorch's {@code _batch_lowrank_logdet}). */
    Tensor logDet() {
        return Matrices.diagonal(capacitanceTril).log().sum(-1, false).mul(2).add(diag.log().sum(-1, false));
    }

    /** x^T (W W^T + diag(D))^-1 x of vectors [..., d] (PyTorch's {@code _batch_lowrank_mahalanobis}). */
    Tensor mahalanobis(Tensor x) {
        Tensor projected = Matrices.timesVector(factorOverDiag(factor, diag).transpose(-2, -1), x);
        return x.square().div(diag).sum(-1, false).sub(Matrices.mahalanobis(capacitanceTril, projected));
    }

    /** The unbroadcast factor W, for {@link KL}. */
    Tensor unbroadcastFactor() {
        return factor;
    }

    /** The unbroadcast diagonal D, for {@link KL}. */
    Tensor unbroadcastDiag() {
        return diag;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        int[] shape = extendedShape(sampleShape);
        int[] factorShape = shape.clone();
        factorShape[shape.length - 1] = factor.dim(-1);
        Tensor epsFactor = Tensors.standardNormal(loc, factorShape);
        Tensor epsDiag = Tensors.standardNormal(loc, shape);
        return loc.add(Matrices.timesVector(factor, epsFactor)).add(diag.sqrt().mul(epsDiag));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor distance = mahalanobis(checkedValue("logProb", value).sub(loc));
        return distance.add(logDet()).add(dimension() * LOG_TWO_PI).mul(-0.5);
    }

    @Override
    public Tensor entropy() {
        return Tensors.expandTo(logDet().add(dimension() * (1 + LOG_TWO_PI)).mul(0.5), batchShape());
    }

    @Override
    public Tensor mean() {
        return loc;
    }

    @Override
    public Tensor mode() {
        return loc;
    }

    @Override
    public Tensor variance() {
        return Tensors.expandTo(factor.square().sum(-1, false).add(diag), loc.shape());
    }

    @Override
    public Constraint support() {
        return Constraint.realVector();
    }

    /** The same distribution over a larger batch; W and D stay as given, broadcast where used. */
    @Override
    public LowRankMultivariateNormal expand(int... batchShape) {
        Shape batch = expandedBatch(batchShape);
        return new LowRankMultivariateNormal(Tensors.expandTo(loc, batch.insert(batch.rank(), dimension())), factor,
                diag, batch, validatesArgs());
    }

    @Override
    public String toString() {
        return "LowRankMultivariateNormal(loc: " + loc.shape() + ", covFactor: " + factor.shape() + ", covDiag: "
                + diag.shape() + ")";
    }
}
