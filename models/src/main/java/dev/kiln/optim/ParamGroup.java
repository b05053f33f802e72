package dev.kiln.optim;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Parameters that share a learning rate and a weight decay (PyTorch's {@code param_groups}). A group made
 * without a learning rate or weight decay takes the optimizer's default when the optimizer is built. Both
 * can be changed at any time; schedules change the learning rate.
 */
public final class ParamGroup {
    private final List<Tensor> params;
    private double lr;
    private double weightDecay;
    private boolean lrSet;
    private boolean weightDecaySet;
    /** PyTorch's initial_lr; NaN until a schedule records it. */
    private double initialLr = Double.NaN;

    /** A group with the optimizer's default learning rate and weight decay. */
    public ParamGroup(List<Tensor> params) {
        this.params = List.copyOf(params);
    }

    /** A group with its own learning rate and the optimizer's default weight decay. */
    public ParamGroup(List<Tensor> params, double lr) {
        this(params);
        setLr(lr);
    }

    /** A group with its own learning rate and weight decay. */
    public ParamGroup(List<Tensor> params, double lr, double weightDecay) {
        this(params, lr);
        setWeightDecay(weightDecay);
    }

    /** The group's parameters (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    public double lr() {
        return lr;
    }

    /** Sets the learning rate (finite, at least 0); returns this. */
    public ParamGroup setLr(double lr) {
        this.lr = checked("learning rate", lr);
        this.lrSet = true;
        return this;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** Sets the weight decay (finite, at least 0); returns this. */
    public ParamGroup setWeightDecay(double weightDecay) {
        this.weightDecay = checked("weight decay", weightDecay);
        this.weightDecaySet = true;
        return this;
    }

    /**
     * PyTorch's {@code initial_lr}: the learning rate when the first schedule was made on this group, which every
     * schedule made on it takes as its base rate, so that schedules combined ({@code SequentialLR},
     * {@code ChainedScheduler}) share it whatever the earlier ones set; the current learning rate until then.
     */
    public double initialLr() {
        return Double.isNaN(initialLr) ? lr : initialLr;
    }

    /**
     * Records the current learning rate as {@link #initialLr()} unless one is recorded already (PyTorch's
     * {@code group.setdefault('initial_lr', group['lr'])} when a schedule is made); returns it.
     */
    public double recordInitialLr() {
        if (Double.isNaN(initialLr)) {
            initialLr = lr;
        }
        return initialLr;
    }

    /**
     * Sets {@link #initialLr()} whatever was recorded, as PyTorch's {@code OneCycleLR} writes
     * {@code group['initial_lr']} (its starting rate) when it is made; returns this.
     *
     * @throws IllegalArgumentException naming initial_lr unless finite and at least 0
     */
    public ParamGroup setInitialLr(double initialLr) {
        this.initialLr = checked("initial_lr", initialLr);
        return this;
    }

    /** Whether a schedule has recorded {@link #initialLr()}. */
    boolean recordsInitialLr() {
        return !Double.isNaN(initialLr);
    }

    /** Sets {@link #initialLr()} as a loaded state dict recorded it. */
    void restoreInitialLr(double initialLr) {
        this.initialLr = checked("initial_lr", initialLr);
    }

    /** Fills what the group left unset with the optimizer's defaults. */
    void applyDefaults(double defaultLr, double defaultWeightDecay) {
        if (!lrSet) {
            setLr(defaultLr);
        }
        if (!weightDecaySet) {
            setWeightDecay(defaultWeightDecay);
        }
    }

    private static double checked(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("ParamGroup: " + what + " must be finite and >= 0, got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, lr " + lr + ", weight decay " + weightDecay + ")";
    }
}
