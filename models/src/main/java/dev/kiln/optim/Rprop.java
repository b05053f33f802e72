package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resilient backpropagation (Riedmiller and Braun), as PyTorch 1.13's {@code torch.optim.Rprop}: each element moves
 * by its own step size in the direction against its gradient's sign, the step size growing by {@code etaPlus} while
 * the sign holds and shrinking by {@code etaMinus} when it flips. Per parameter, element-wise, with {@code g} its
 * gradient:
 * <pre>
 * s = sign(g * prev)
 * stepSize = clamp(stepSize * (s &gt; 0 ? etaPlus : s &lt; 0 ? etaMinus : 1), stepSizeMin, stepSizeMax)
 * g = s &lt; 0 ? 0 : g                   (after a flip the element stands still, and the next step counts as fresh)
 * p = p - sign(g) * stepSize
 * prev = g
 * </pre>
 * The step sizes start at the group's learning rate on the parameter's first step; the learning rate is not used
 * after that, as in PyTorch. Defaults: etas (0.5, 1.2), step sizes (1e-6, 50). No weight decay (PyTorch's has
 * none). Meant for full-batch training: the signs of mini-batch gradients flip by noise. Composed from tensor ops.
 * State: {@code step}, {@code prev}, {@code step_size}.
 */
public final class Rprop extends Optimizer {
    /** PyTorch's default learning rate, the initial step size, for groups that set none. */
    public static final double DEFAULT_LR = 1e-2;

    private double etaMinus = 0.5;
    private double etaPlus = 1.2;
    private double stepSizeMin = 1e-6;
    private double stepSizeMax = 50;

    /** Rprop over one group; {@code lr} is the initial step size. */
    public Rprop(List<Tensor> params, double lr) {
        super(oneGroup(params, lr), DEFAULT_LR, 0);
    }

    /** Rprop over parameter groups; groups without a learning rate get {@link #DEFAULT_LR}. */
    public Rprop(List<ParamGroup> groups) {
        super(groups, DEFAULT_LR, 0);
        checkSettings();
    }

    /**
     * Sets the factors by which a step size shrinks when the gradient's sign flips and grows while it holds
     * (PyTorch's {@code etas}), with {@code 0 < etaMinus < 1 < etaPlus}; returns this.
     */
    public Rprop etas(double etaMinus, double etaPlus) {
        if (!(0 < etaMinus && etaMinus < 1 && 1 < etaPlus) || Double.isInfinite(etaPlus)) {
            throw new IllegalArgumentException("Rprop: etas must satisfy 0 < etaMinus < 1 < etaPlus (finite), got ("
                    + etaMinus + ", " + etaPlus + ")");
        }
        this.etaMinus = etaMinus;
        this.etaPlus = etaPlus;
        return this;
    }

    /**
     * Sets the bounds of every step size (PyTorch's {@code step_sizes}), with {@code 0 <= min <= max}; returns this.
     */
    public Rprop stepSizes(double min, double max) {
        if (!(0 <= min && min <= max) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("Rprop: step sizes must satisfy 0 <= min <= max (finite), got (" + min
                    + ", " + max + ")");
        }
        this.stepSizeMin = min;
        this.stepSizeMax = max;
        return this;
    }

    public double etaMinus() {
        return etaMinus;
    }

    public double etaPlus() {
        return etaPlus;
    }

    public double stepSizeMin() {
        return stepSizeMin;
    }

    public double stepSizeMax() {
        return stepSizeMax;
    }

    /** Refuses a group with weight decay, which Rprop would otherwise ignore. */
    @Override
    protected void checkSettings() {
        for (int g = 0; g < groups().size(); g++) {
            double weightDecay = groups().get(g).weightDecay();
            if (weightDecay != 0) {
                throw new IllegalArgumentException("Rprop: has no weight decay (nor has PyTorch's), got " + weightDecay
                        + " for group " + g);
            }
        }
    }

    @Override
    protected Set<String> stateNames() {
        return Set.of("step", "prev", "step_size");
    }

    @Override
    protected void update(Tensor param, Tensor grad, ParamGroup group, ParamState state) {
        Tensor prev = state.getOrZeros("prev", param);
        Tensor stepSize = state.get("step_size");
        if (stepSize == null) {
            stepSize = state.getOrZeros("step_size", param);
            stepSize.assign(stepSize.fullLike(group.lr()));
        }
        state.nextStep();
        Tensor sign = grad.mul(prev).sign();
        Tensor flipped = sign.lt(0);
        Tensor factor = sign.fullLike(1).maskedFill(sign.gt(0), etaPlus).maskedFill(flipped, etaMinus);
        stepSize.assign(stepSize.mul(factor).clamp(stepSizeMin, stepSizeMax));
        Tensor g = grad.maskedFill(flipped, 0);
        param.assign(param.sub(g.sign().mul(stepSize)));
        prev.assign(g);
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("etas", List.of(etaMinus, etaPlus));
        s.put("step_sizes", List.of(stepSizeMin, stepSizeMax));
        return s;
    }
}
