package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The LKJ distribution over Cholesky factors L of d x d correlation matrices, as PyTorch's
 * {@code torch.distributions.LKJCholesky(dim, concentration)}: the correlation matrix L L^T has density proportional to
 * det(L L^T)^(concentration - 1), so concentration 1 is uniform over correlation matrices and a larger one favours
 * the identity. The concentration [batch...] is the batch; events are [d, d] lower-triangular factors with a positive
 * diagonal and rows of unit norm ({@link Constraint#corrCholesky()}).
 * <pre>
 * logProb(L) = sum_{i=1}^{d-1} (2 (concentration - 1) + d - 1 - i) log L_ii
 *              - ((d - 1) log(pi) / 2 + mvlgamma(alpha - 1/2, d - 1) - (d - 1) lgamma(alpha)),
 * alpha = concentration + (d - 1) / 2
 * </pre>
 * {@code sample} is PyTorch's vectorised onion method (Lewandowski, Kurowicka and Joe, 2009, section 3.2): row i of L
 * is sqrt(y_i) times a uniform direction in the first i coordinates, y_i ~ Beta(i / 2, concentration + (d - 2) / 2 -
 * (i - 1) / 2) (row 0 is e_0), and the diagonal completes each row to unit norm, so that each correlation r of L L^T
 * has (r + 1) / 2 ~ Beta(concentration - 1 + d / 2, the same). One departure from PyTorch 1.13, where 1.13 is wrong:
 * its first Beta concentration is (2 i - 1) / 2 rather than i / 2, which gives rows from 2 on (d >= 3) too wide a
 * spread (E r^2 = 0.30 for d = 3 and concentration 1, where the law says 1/4). No {@code rsample}, mean, variance or
 * entropy, as in PyTorch 1.13.
 */
public final class LKJCholesky extends Distribution {
    private static final double LOG_PI = Math.log(Math.PI);

    private final int dimension;
    private final Tensor concentration;
    /** The squared norms of the rows' off-diagonal parts, one Beta per row: [batch..., d]. */
    private final Beta rowMass;

    /** LKJ over d x d correlation factors with concentration [batch...], validated as the default says. */
    public LKJCholesky(int dimension, Tensor concentration) {
        this(dimension, concentration, defaultValidateArgs());
    }

    /** LKJ over d x d correlation factors with one F32 scalar concentration (1: uniform over correlations). */
    public LKJCholesky(int dimension, double concentration) {
        this(dimension, Tensor.scalar(concentration));
    }

    /**
     * LKJ over d x d correlation factors, checking that the concentration is positive (and values are correlation
     * factors) when {@code validateArgs}.
     *
     * @throws IllegalArgumentException where d is below 2
     */
    public LKJCholesky(int dimension, Tensor concentration, boolean validateArgs) {
        super(concentration.shape(), Shape.of(checkedDimension(dimension), dimension), validateArgs);
        this.dimension = dimension;
        this.concentration = concentration;
        checkParameter("concentration", concentration, Constraint.positive());
        Tensor offset = offsets(concentration, dimension);
        Tensor marginal = concentration.add(0.5 * (dimension - 2));
        this.rowMass = new Beta(offset.mul(0.5).add(0.5), marginal.unsqueeze(-1).sub(offset.mul(0.5)), false);
    }

    /**
     * [0, 0, 1, ..., d - 2]: row i > 0 has Beta(i / 2, marginal - (i - 1) / 2); row 0's Beta, a copy of row 1's, is
     * drawn and not used, as PyTorch's. (PyTorch 1.13 takes offset + 1/2 for the first concentration, (2 i - 1) / 2,
     * which is i / 2 for row 1 alone: its rows from 2 on spread their correlations too widely.)
     */
    private static Tensor offsets(Tensor like, int dimension) {
        Tensor steps = like.fullLike(1, Shape.of(dimension - 1)).cumsum(0).sub(1);
        return F.pad(steps, new int[] {1, 0}, 0);
    }

    private static int checkedDimension(int dimension) {
        if (dimension < 2) {
            throw new IllegalArgumentException("LKJCholesky: dim must be at least 2, got " + dimension);
        }
        return dimension;
    }

    /** d, the size of the correlation matrices. */
    public int dimension() {
        return dimension;
    }

    /** The concentration [batch...]. */
    public Tensor concentration() {
        return concentration;
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        Tensor y = rowMass.sample(sampleShape).unsqueeze(-1);
        Tensor normal = Tensors.standardNormal(concentration, extendedShape(sampleShape)).tril(-1);
        // Row 0 is all zeros: a norm floored at tiny keeps it 0 where PyTorch divides 0 by 0 and fills the row.
        Tensor norm = normal.norm(2, new int[] {-1}, true).clampMin(Finfo.tiny(normal.dtype()));
        Tensor w = y.sqrt().mul(normal.div(norm));
        Tensor diagonal = w.square().sum(-1, false).neg().add(1).clampMin(Finfo.tiny(w.dtype())).sqrt();
        return w.add(Matrices.diagonalMatrix(diagonal));
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor diagonal = Matrices.diagonal(checkedValue("logProb", value)).narrow(value.rank() - 2, 1,
                dimension - 1);
        // order_i = 2 (concentration - 1) + d - i for i = 2 .. d.
        Tensor steps = concentration.fullLike(1, Shape.of(dimension - 1)).cumsum(0).add(1);
        Tensor order = concentration.sub(1).mul(2).unsqueeze(-1).add(dimension).sub(steps);
        Tensor unnormalised = order.mul(diagonal.log()).sum(-1, false);
        int dm1 = dimension - 1;
        Tensor alpha = concentration.add(0.5 * dm1);
        Tensor normaliser = MultivariateGamma.logGamma(alpha.sub(0.5), dm1).sub(alpha.lgamma().mul(dm1))
                .add(0.5 * dm1 * LOG_PI);
        return unnormalised.sub(normaliser);
    }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy (as in PyTorch 1.13)");
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException(this + " has no mean (as in PyTorch 1.13)");
    }

    @Override
    public Tensor variance() {
        throw new UnsupportedOperationException(this + " has no variance (as in PyTorch 1.13)");
    }

    @Override
    public Constraint support() {
        return Constraint.corrCholesky();
    }

    @Override
    public LKJCholesky expand(int... batchShape) {
        Shape batch = expandedBatch(batchShape);
        return new LKJCholesky(dimension, Tensors.expandTo(concentration, batch), validatesArgs());
    }

    @Override
    public String toString() {
        return "LKJCholesky(dim: " + dimension + ", concentration: " + concentration.shape() + ")";
    }
}
