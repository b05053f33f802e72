package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Adamax (Kingma and Ba), the infinity-norm variant of Adam, as PyTorch 1.13's {@code torch.optim.Adamax}. Per
 * parameter, with {@code g} its gradient and {@code t} its step count from 1:
 * <pre>
 * g = g + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g
 * u = max(beta2 * u, |g| + eps)
 * p = p - lr / (1 - beta1^t) * m / u
 * </pre>
 * Defaults: lr 2e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (an L2 term added to the gradient). Composed
 * from tensor ops. State: {@code step}, {@code exp_avg} (m) and {@code exp_inf} (u).
 */
public final class Adamax extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 2e-3;

    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;

    /** Adamax over one group. */
    public Adamax(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** Adamax over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public Adamax(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the decay rates of the first moment and of the infinity norm, each in [0, 1); returns this. */
    public Adamax betas(double beta1, double beta2) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adamax: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        return this;
    }

    /** Sets the term added to the gradient's magnitude before the maximum; returns this. */
    public Adamax eps(double eps) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("Adamax: eps must be finite and >= 0, got " + eps);
        }
        this.eps = eps;
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public Adamax weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "exp_avg", "exp_inf");
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor expAvg = state.getOrZeros("exp_avg", param);
        Tensor expInf = state.getOrZeros("exp_inf", param);
        long step = state.nextStep();
        Tensor g = group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
        expAvg.assign(expAvg.mul(beta1).add(g.mul(1 - beta1)));
        expInf.assign(expInf.mul(beta2).maximum(g.abs().add(eps)));
        double clr = group.lr() / (1 - Math.pow(beta1, step));
        param.addInPlace(expAvg.div(expInf), -clr);
    }

    /** beta1, which {@code OneCycleLR} cycles. */
    @Override
    public OptionalDouble momentumOrBeta1() {
        return OptionalDouble.of(beta1);
    }

    @Override
    public void setMomentumOrBeta1(double value) {
        betas(value, beta2);
    }
}
