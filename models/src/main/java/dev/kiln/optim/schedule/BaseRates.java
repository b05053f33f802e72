package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;

/**
 * The base rate of each group of an optimizer, the learning rate when the first schedule was made on it
 * ({@link ParamGroup#initialLr()}, which making this records), and a way to set new ones.
 */
final class BaseRates {
    private final Optimizer optimizer;
    private final double[] base;

    BaseRates(String schedule, Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException(schedule + ": optimizer must not be null");
        }
        this.optimizer = optimizer;
        List<ParamGroup> groups = optimizer.groups();
        this.base = new double[groups.size()];
        for (int i = 0; i < base.length; i++) {
            base[i] = groups.get(i).recordInitialLr();
        }
    }

    Optimizer optimizer() {
        return optimizer;
    }

    /** Sets each group's learning rate to {@code rate} applied to its base rate. */
    void set(DoubleUnaryOperator rate) {
        List<ParamGroup> groups = optimizer.groups();
        for (int i = 0; i < base.length; i++) {
            groups.get(i).setLr(rate.applyAsDouble(base[i]));
        }
    }

    /**
     * Sets each group's learning rate to its base rate times {@code factor} of the group's index; every factor is
     * taken before any rate is set, so that a refused one leaves all rates as they were.
     */
    void setFactors(IntToDoubleFunction factor) {
        double[] factors = new double[base.length];
        for (int i = 0; i < base.length; i++) {
            factors[i] = factor.applyAsDouble(i);
        }
        List<ParamGroup> groups = optimizer.groups();
        for (int i = 0; i < base.length; i++) {
            groups.get(i).setLr(base[i] * factors[i]);
        }
    }

    static void checkEpoch(String schedule, int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException(schedule + ": epoch must be >= 0 (completed epochs), got " + epoch);
        }
    }
}
