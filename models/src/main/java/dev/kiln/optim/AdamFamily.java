package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * What the Adam family ({@link Adam}, {@link AdamW}, {@link Adamax}, {@link NAdam}, {@link RAdam},
 * {@link SparseAdam}) shares, so that each keeps only its update rule: beta1, the decay rate of the first moment,
 * which {@code OneCycleLR} cycles as {@link #momentumOrBeta1()}; beta2, the decay rate of the second moment (Adamax:
 * of the infinity norm); eps; their checks; and the weight decay of every group. Defaults as PyTorch's: betas (0.9, 0.999), eps 1e-8.
 *
 * @param <O> the optimizer itself, which its setters return
 */
public abstract class AdamFamily<O extends AdamFamily<O>> extends Optimizer {
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;

    /** As {@link Optimizer#Optimizer}: groups without a learning rate or weight decay take these defaults. */
    protected AdamFamily(List<ParamGroup> groups, double defaultLr, double defaultWeightDecay) {
        super(groups, defaultLr, defaultWeightDecay);
    }

    /** Sets the decay rates of the first and second moments, each in [0, 1); returns this. */
    public O betas(double beta1, double beta2) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": betas must be in [0, 1), got ("
                    + beta1 + ", " + beta2 + ")");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        return self();
    }

    /** Sets eps, the small term that keeps the rule's denominator from 0 (see the class's rule); returns this. */
    public O eps(double eps) {
        this.eps = finiteNonNegative("eps", eps);
        return self();
    }

    /**
     * Climbs the objective instead of descending it (PyTorch's {@code maximize}, which 1.13 has on Adam, AdamW and
     * Adamax); returns this.
     */
    public O maximize(boolean maximize) {
        setMaximize(maximize);
        return self();
    }

    /** Sets the weight decay of every group; returns this. */
    public O weightDecay(double weightDecay) {
        setWeightDecayOfAllGroups(weightDecay);
        return self();
    }

    /** The decay rate of the first moment (default 0.9). */
    public double beta1() {
        return beta1;
    }

    /** The decay rate of the second moment, or for {@link Adamax} of the infinity norm (default 0.999). */
    public double beta2() {
        return beta2;
    }

    /** The term that keeps the rule's denominator from 0 (default 1e-8). */
    public double eps() {
        return eps;
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

    /**
     * {@code value} of setting {@code what} when finite and at least 0.
     *
     * @throws IllegalArgumentException naming the optimizer, the setting and the value otherwise
     */
    protected final double finiteNonNegative(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what
                    + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    /** The gradient with the group's L2 weight decay added, {@code grad + weightDecay * param}. */
    protected static Tensor withL2(Tensor grad, Tensor param, ParamGroup group) {
        return group.weightDecay() != 0 ? grad.add(param.mul(group.weightDecay())) : grad;
    }

    /** The first moment's step in place, {@code m = beta1 * m + (1 - beta1) * g}. */
    protected final void updateFirstMoment(Tensor expAvg, Tensor g) {
        expAvg.assign(expAvg.mul(beta1).add(g.mul(1 - beta1)));
    }

    /** The second moment's step in place, {@code v = beta2 * v + (1 - beta2) * g * g}. */
    protected final void updateSecondMoment(Tensor expAvgSq, Tensor g) {
        expAvgSq.assign(expAvgSq.mul(beta2).add(g.mul(g).mul(1 - beta2)));
    }

    @SuppressWarnings("unchecked")
    private O self() {
        return (O) this;
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> s = super.settings();
        s.put("beta2", beta2);
        s.put("eps", eps);
        return s;
    }
}
