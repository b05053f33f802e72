package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Rectified Adam (Liu et al.), as PyTorch 1.13's {@code torch.optim.RAdam}: Adam whose adaptive step is scaled by a
 * rectification term once the variance of the second moment is tractable, and plain momentum SGD before. Per
 * parameter, with {@code g} its gradient and {@code t} its step count from 1:
 * <pre>
 * g = g + weightDecay * p
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g * g
 * rhoInf = 2 / (1 - beta2) - 1
 * rho = rhoInf - 2 * t * beta2^t / (1 - beta2^t)
 * rho &gt; 5: r = sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho))
 *          p = p - lr * m / (1 - beta1^t) * r * sqrt(1 - beta2^t) / (sqrt(v) + eps)
 * else:    p = p - lr * m / (1 - beta1^t)
 * </pre>
 * Defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0 (an L2 term added to the gradient). Composed
 * from tensor ops. State: {@code step}, {@code exp_avg} (m) and {@code exp_avg_sq} (v), the names of
 * {@link Adam}'s, as in PyTorch: {@link #loadStateDict} cannot tell an Adam checkpoint from a RAdam one.
 */
public final class RAdam extends Optimizer {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-3;
    /** The length of the approximated moving average above which the adaptive step is used. */
    private static final double RECTIFY_ABOVE = 5;

    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;

    /** RAdam over one group. */
    public RAdam(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** RAdam over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public RAdam(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the decay rates of the two moment estimates, each in [0, 1); returns this. */
    public RAdam betas(double beta1, double beta2) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("RAdam: betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        return this;
    }

    /** Sets the term added to the denominator after the square root; returns this. */
    public RAdam eps(double eps) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("RAdam: eps must be finite and >= 0, got " + eps);
        }
        this.eps = eps;
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public RAdam weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "exp_avg", "exp_avg_sq");
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor expAvg = state.getOrZeros("exp_avg", param);
        Tensor expAvgSq = state.getOrZeros("exp_avg_sq", param);
        long step = state.nextStep();
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        Tensor g = group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
        expAvg.assign(expAvg.mul(beta1).add(g.mul(1 - beta1)));
        expAvgSq.assign(expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2)));
        Tensor correctedExpAvg = expAvg.div(biasCorrection1);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rho = rhoInf - 2 * step * Math.pow(beta2, step) / biasCorrection2;
        if (rho > RECTIFY_ABOVE) {
            double rectification = Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
            Tensor adaptive = expAvgSq.sqrt().add(eps);
            param.addInPlace(correctedExpAvg.div(adaptive), -group.lr() * Math.sqrt(biasCorrection2) * rectification);
        } else {
            param.addInPlace(correctedExpAvg, -group.lr());
        }
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
