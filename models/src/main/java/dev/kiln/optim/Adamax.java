package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
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
public final class Adamax extends AdamFamily<Adamax> {
    /** PyTorch's default learning rate, for groups that set none. */
    public static final double DEFAULT_LR = 2e-3;

    /** Adamax over one group. */
    public Adamax(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** Adamax over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public Adamax(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
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
        Tensor g = withL2(grad, param, group);
        updateFirstMoment(expAvg, g);
        expInf.assign(expInf.mul(beta2()).maximum(g.abs().add(eps())));
        double clr = group.lr() / (1 - Math.pow(beta1(), step));
        param.addInPlace(expAvg.div(expInf), -clr);
    }
}
