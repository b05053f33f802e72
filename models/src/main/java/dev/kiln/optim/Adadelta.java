package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Adadelta (Zeiler), as PyTorch 1.13's {@code torch.optim.Adadelta}. Per parameter, with {@code g} its gradient:
 * <pre>
 * g = g + weightDecay * p
 * s = rho * s + (1 - rho) * g * g
 * d = sqrt(a + eps) / sqrt(s + eps) * g
 * a = rho * a + (1 - rho) * d * d
 * p = p - lr * d
 * </pre>
 * Defaults: lr 1.0, rho 0.9, eps 1e-6, weight decay 0 (an L2 term added to the gradient). Composed from tensor ops.
 * State: {@code step}, {@code square_avg} (s) and {@code acc_delta} (a).
 */
public final class Adadelta extends Optimizer {
    /** PyTorch's default learning rate (a factor on the step), for groups that set none. */
    public static final double DEFAULT_LR = 1.0;

    private double rho = 0.9;
    private double eps = 1e-6;

    /** Adadelta over one group. */
    public Adadelta(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** Adadelta over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public Adadelta(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
    }

    /** Sets the decay rate of both running averages, in [0, 1]; returns this. */
    public Adadelta rho(double rho) {
        if (!(rho >= 0 && rho <= 1)) {
            throw new IllegalArgumentException("Adadelta: rho must be in [0, 1], got " + rho);
        }
        this.rho = rho;
        return this;
    }

    /** Sets the term added inside both square roots; returns this. */
    public Adadelta eps(double eps) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("Adadelta: eps must be finite and >= 0, got " + eps);
        }
        this.eps = eps;
        return this;
    }

    /** Sets the weight decay (L2 penalty) of every group; returns this. */
    public Adadelta weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return this;
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "square_avg", "acc_delta");
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor squareAvg = state.getOrZeros("square_avg", param);
        Tensor accDelta = state.getOrZeros("acc_delta", param);
        state.nextStep();
        Tensor g = group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
        squareAvg.assign(squareAvg.mul(rho).add(g.mul(g).mul(1 - rho)));
        Tensor std = squareAvg.add(eps).sqrt();
        Tensor delta = accDelta.add(eps).sqrt().div(std).mul(g);
        accDelta.assign(accDelta.mul(rho).add(delta.mul(delta).mul(1 - rho)));
        param.addInPlace(delta, -group.lr());
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("rho", rho);
        s.put("eps", eps);
        return s;
    }
}
