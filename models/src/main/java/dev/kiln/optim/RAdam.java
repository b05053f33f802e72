package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
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
public final class RAdam extends AdamFamily<RAdam> {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 1e-3;
    /** The length of the approximated moving average above which the adaptive step is used. */
    private static final double RECTIFY_ABOVE = 5;

    /** RAdam over one group. */
    public RAdam(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** RAdam over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public RAdam(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
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
        double beta2 = beta2();
        double biasCorrection1 = 1 - Math.pow(beta1(), step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        Tensor g = withL2(grad, param, group);
        updateFirstMoment(expAvg, g);
        updateSecondMoment(expAvgSq, g);
        Tensor correctedExpAvg = expAvg.div(biasCorrection1);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rho = rhoInf - 2 * step * Math.pow(beta2, step) / biasCorrection2;
        if (rho > RECTIFY_ABOVE) {
            double rectification = Math.sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
            Tensor adaptive = expAvgSq.sqrt().add(eps());
            param.addInPlace(correctedExpAvg.div(adaptive), -group.lr() * Math.sqrt(biasCorrection2) * rectification);
        } else {
            param.addInPlace(correctedExpAvg, -group.lr());
        }
    }
}
