package dev.kiln.optim;

import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.List;
import java.util.Set;

/**
 * The lazy Adam of sparse gradients, as PyTorch's {@code torch.optim.SparseAdam}: for parameters whose gradient is
 * sparse ({@link Tensor#sparseGrad()}, from an {@code Embedding} or {@code EmbeddingBag} with sparse gradients). Each
 * step coalesces the gradient and moves the moments and the parameter in its rows alone; rows not looked up keep
 * their moments, untouched, until they are. With {@code g} the gradient's rows and {@code t} the parameter's step
 * count from 1 (which counts a gradient without entries too, as PyTorch's after {@code zero_grad()}):
 * <pre>
 * m = m + (1 - beta1) * (g - m)         v = v + (1 - beta2) * (g^2 - v)
 * p = p - lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)
 * </pre>
 * Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8; PyTorch 1.13's checks: lr and eps &gt; 0, betas in
 * [0, 1) ({@link #betas}); no weight decay, which
 * {@link #weightDecay} refuses. A dense gradient is refused, as in PyTorch (use {@link Adam}). State: {@code step},
 * {@code exp_avg} (m), {@code exp_avg_sq} (v), dense.
 * <pre>{@code
 * Embedding table = new Embedding(1_000_000, 64).sparse(true);
 * Optimizer opt = new SparseAdam(table.parameters(), 1e-3);
 * }</pre>
 */
public final class SparseAdam extends AdamFamily<SparseAdam> {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-3;

    /**
     * SparseAdam over one group.
     *
     * @throws IllegalArgumentException unless {@code lr} is above 0, as PyTorch 1.13 asks ({@code 0.0 < lr})
     */
    public SparseAdam(List<Tensor> params, double lr) {
        super(oneGroup(params, positiveLr(lr)), DEFAULT_LR, 0);
        checkSettings();
    }

    /**
     * SparseAdam over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}.
     *
     * @throws IllegalArgumentException for a group with a weight decay other than 0
     */
    public SparseAdam(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
        checkSettings();
    }

    /**
     * Sets the term added to the denominator after the square root; returns this.
     *
     * @throws IllegalArgumentException unless above 0, as PyTorch 1.13 asks ({@code 0.0 < eps}), and finite, as every
     *                                  Adam here asks
     */
    @Override
    public SparseAdam eps(double eps) {
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("SparseAdam: eps must be finite and > 0 (PyTorch's 'Invalid epsilon"
                    + " value'), got " + eps);
        }
        return super.eps(eps);
    }

    /**
     * {@code lr} when above 0: PyTorch 1.13's SparseAdam refuses the learning rate it is made with otherwise (a
     * group's, or one a schedule sets later, may be 0 there and here).
     */
    private static double positiveLr(double lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("SparseAdam: learning rate must be > 0 (PyTorch's 'Invalid learning"
                    + " rate'), got " + lr);
        }
        return lr;
    }

    /**
     * Refuses any weight decay but 0: PyTorch's SparseAdam has none.
     *
     * @throws IllegalArgumentException naming the value, unless it is 0
     */
    @Override
    public SparseAdam weightDecay(double weightDecay) {
        if (weightDecay != 0) {
            throw new IllegalArgumentException("SparseAdam: has no weight decay (PyTorch's has none either), got "
                    + weightDecay);
        }
        return this;
    }

    /**
     * Refuses a group's weight decay other than 0, as {@link #weightDecay} does: PyTorch's SparseAdam ignores a
     * group's {@code weight_decay}, which would silently not decay here.
     */
    @Override
    protected void checkSettings() {
        for (int g = 0; g < groups().size(); g++) {
            double weightDecay = groups().get(g).weightDecay();
            if (weightDecay != 0) {
                throw new IllegalArgumentException("SparseAdam: has no weight decay (PyTorch's has none either), got "
                        + weightDecay + " in group " + g);
            }
        }
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "exp_avg", "exp_avg_sq");
    }

    /** Refuses a dense gradient, as PyTorch's SparseAdam does. */
    @Override
    protected void checkGradient(Tensor param, boolean sparse, ParamGroup group) {
        if (!sparse) {
            throw new UnsupportedOperationException("SparseAdam does not support dense gradients: parameter "
                    + param.shape() + " has one; step it with Adam, or look it up with sparse gradients"
                    + " (Embedding.sparse(true))");
        }
    }

    @Override
    protected void updateSparse(Tensor param, SparseRows grad, ParamGroup group, ParamState state) {
        long step = state.nextStep();
        Tensor expAvg = state.getOrZeros("exp_avg", param);
        Tensor expAvgSq = state.getOrZeros("exp_avg_sq", param);
        // The update is not linear in the gradient: each row's entries are summed first, as PyTorch does.
        SparseRows g = grad.coalesce();
        double stepSize = group.lr() * Math.sqrt(1 - Math.pow(beta2(), step)) / (1 - Math.pow(beta1(), step));
        Updates.sparseAdam(param, expAvg, expAvgSq, g, stepSize, beta1(), beta2(), eps());
    }
}
