package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Cyclical learning rates (Smith), as PyTorch's {@code CyclicLR}: each group's rate climbs from its {@code baseLr}
 * to its {@code maxLr} over {@code stepSizeUp} steps and comes back over {@code stepSizeDown}, the height of each
 * cycle scaled by the {@link Mode} or a scale function of your own. After step t, with
 * {@code cycle = floor(1 + t / (up + down))}, {@code x = 1 + t / (up + down) - cycle} and the share of the climb
 * {@code h = x <= r ? x / r : (x - 1) / (r - 1)} ({@code r = up / (up + down)}):
 * <pre>
 * lr = baseLr + (maxLr - baseLr) * h * scale        scale = fn(cycle), or fn(t) for ScaleMode.ITERATIONS
 * </pre>
 * Sized in optimizer steps: give it to {@code Trainer.schedulePerStep}. The groups' own rates are not used; the
 * schedule sets {@code baseLr} when it is made. As PyTorch's by default ({@code cycle_momentum=True}), it also moves
 * the optimizer's momentum or beta1 ({@link Optimizer#momentumOrBeta1()}) against the rate:
 * {@code maxMomentum - (maxMomentum - baseMomentum) * h * scale}, set to {@code maxMomentum} when it is made. PyTorch
 * 1.13 cycles SGD's momentum only; beta1 of the Adam family is cycled as {@link OneCycleLR} does (and PyTorch 2's
 * {@code CyclicLR}). Kiln's optimizers keep one momentum for all groups. Closed form in the step, it keeps no state,
 * so a resumed run needs only the step count; a custom scale function is not saved (nor is it in PyTorch).
 */
public final class CyclicLR implements LearningRateSchedule {
    /** The built-in scalings of each cycle's height. */
    public enum Mode {
        /** Every cycle the same height (PyTorch's {@code 'triangular'}). */
        TRIANGULAR,
        /** Each cycle half as high as the one before (PyTorch's {@code 'triangular2'}). */
        TRIANGULAR2,
        /** The height times {@code gamma^t} after step t (PyTorch's {@code 'exp_range'}). */
        EXP_RANGE
    }

    /** What a custom scale function is given (PyTorch's {@code scale_mode}). */
    public enum ScaleMode {
        /** The cycle's number, from 1. */
        CYCLE,
        /** The step's number t, from 0. */
        ITERATIONS
    }

    private final Optimizer optimizer;
    private final double[] baseLrs;
    private final double[] maxLrs;
    private final int totalSize;
    private final double stepRatio;
    private final DoubleUnaryOperator scaleFn;
    private final ScaleMode scaleMode;
    private final boolean cycleMomentum;
    private final double baseMomentum;
    private final double maxMomentum;

    /**
     * PyTorch's defaults: {@link Mode#TRIANGULAR}, as many steps down as up, the momentum cycled between 0.8 and 0.9.
     */
    public CyclicLR(Optimizer optimizer, double baseLr, double maxLr, int stepSizeUp) {
        this(optimizer, new double[] {baseLr}, new double[] {maxLr}, stepSizeUp, stepSizeUp, Mode.TRIANGULAR, 1, true,
                0.8, 0.9);
    }

    /**
     * @param baseLrs       the lowest rate of each group, finite and at least 0; one value for every group, or one
     *                      per group
     * @param maxLrs        the highest rate of each group, as {@code baseLrs}
     * @param stepSizeUp    steps from the lowest rate to the highest, at least 1
     * @param stepSizeDown  steps back down, at least 1
     * @param mode          how each cycle's height is scaled
     * @param gamma         {@link Mode#EXP_RANGE}'s factor per step, finite and above 0 (PyTorch's default 1)
     * @param cycleMomentum move the optimizer's momentum or beta1 against the rate
     * @param baseMomentum  the momentum at the highest rate
     * @param maxMomentum   the momentum at the lowest rate, and when the schedule is made
     */
    public CyclicLR(Optimizer optimizer, double[] baseLrs, double[] maxLrs, int stepSizeUp, int stepSizeDown, Mode mode,
                    double gamma, boolean cycleMomentum, double baseMomentum, double maxMomentum) {
        this(optimizer, baseLrs, maxLrs, stepSizeUp, stepSizeDown, builtIn(mode, gamma), scaleModeOf(mode),
                cycleMomentum, baseMomentum, maxMomentum);
    }

    /**
     * As the constructor with a {@link Mode}, each cycle's height scaled by {@code scaleFn} (PyTorch's
     * {@code scale_fn}) of the cycle's number or the step's, as {@code scaleMode} says; its values must keep the
     * rates at least 0.
     */
    public CyclicLR(Optimizer optimizer, double[] baseLrs, double[] maxLrs, int stepSizeUp, int stepSizeDown,
                    DoubleUnaryOperator scaleFn, ScaleMode scaleMode, boolean cycleMomentum, double baseMomentum,
                    double maxMomentum) {
        if (optimizer == null) {
            throw new IllegalArgumentException("CyclicLR: optimizer must not be null");
        }
        if (stepSizeUp < 1 || stepSizeDown < 1) {
            throw new IllegalArgumentException("CyclicLR: stepSizeUp and stepSizeDown must be >= 1, got " + stepSizeUp
                    + " and " + stepSizeDown);
        }
        if (scaleFn == null || scaleMode == null) {
            throw new IllegalArgumentException("CyclicLR: the scale function and its scale mode must not be null");
        }
        if (cycleMomentum && optimizer.momentumOrBeta1().isEmpty()) {
            throw new IllegalArgumentException("CyclicLR: " + optimizer.getClass().getSimpleName() + " has no momentum"
                    + " or beta1 to cycle; give cycleMomentum false (PyTorch's cycle_momentum=False)");
        }
        this.optimizer = optimizer;
        this.baseLrs = perGroup("baseLrs", baseLrs, optimizer);
        this.maxLrs = perGroup("maxLrs", maxLrs, optimizer);
        this.totalSize = stepSizeUp + stepSizeDown;
        this.stepRatio = (double) stepSizeUp / totalSize;
        this.scaleFn = scaleFn;
        this.scaleMode = scaleMode;
        this.cycleMomentum = cycleMomentum;
        this.baseMomentum = baseMomentum;
        this.maxMomentum = maxMomentum;
        if (cycleMomentum) {
            checkMomentum(optimizer, baseMomentum);
            checkMomentum(optimizer, maxMomentum);
        }
        for (int g = 0; g < this.baseLrs.length; g++) {
            optimizer.groups().get(g).setLr(this.baseLrs[g]).recordInitialLr();
        }
        step(0, Double.NaN);
    }

    private static DoubleUnaryOperator builtIn(Mode mode, double gamma) {
        if (mode == null) {
            throw new IllegalArgumentException("CyclicLR: mode must be TRIANGULAR, TRIANGULAR2 or EXP_RANGE, got null");
        }
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("CyclicLR: gamma must be finite and > 0, got " + gamma);
        }
        return switch (mode) {
            case TRIANGULAR -> x -> 1;
            case TRIANGULAR2 -> x -> 1 / Math.pow(2.0, x - 1);
            case EXP_RANGE -> x -> Math.pow(gamma, x);
        };
    }

    private static ScaleMode scaleModeOf(Mode mode) {
        return mode == Mode.EXP_RANGE ? ScaleMode.ITERATIONS : ScaleMode.CYCLE;
    }

    /** {@code values} for each group: as given, or its one value repeated. */
    private static double[] perGroup(String name, double[] values, Optimizer optimizer) {
        int groups = optimizer.groups().size();
        if (values == null || (values.length != 1 && values.length != groups)) {
            throw new IllegalArgumentException("CyclicLR: " + name + " needs one value or one per group (" + groups
                    + "), got " + (values == null ? "null" : values.length));
        }
        double[] out = new double[groups];
        for (int g = 0; g < groups; g++) {
            out[g] = values[values.length == 1 ? 0 : g];
            if (!(out[g] >= 0) || Double.isInfinite(out[g])) {
                throw new IllegalArgumentException("CyclicLR: " + name + " must be finite and >= 0, got " + out[g]
                        + " for group " + g);
            }
        }
        return out;
    }

    /** Lets the optimizer's own setter judge {@code momentum} now, and leaves the optimizer as it was. */
    private static void checkMomentum(Optimizer optimizer, double momentum) {
        double current = optimizer.momentumOrBeta1().getAsDouble();
        try {
            optimizer.setMomentumOrBeta1(momentum);
        } finally {
            optimizer.setMomentumOrBeta1(current);
        }
    }

    /** @param epoch the steps taken so far (PyTorch's {@code last_epoch}, its batch index) */
    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("CyclicLR", epoch);
        double cycle = Math.floor(1 + (double) epoch / totalSize);
        double x = 1. + (double) epoch / totalSize - cycle;
        double climb = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
        double scale = scaleFn.applyAsDouble(scaleMode == ScaleMode.CYCLE ? cycle : epoch);
        List<ParamGroup> groups = optimizer.groups();
        double[] rates = new double[groups.size()];
        for (int g = 0; g < rates.length; g++) {
            rates[g] = baseLrs[g] + (maxLrs[g] - baseLrs[g]) * climb * scale;
            if (!(rates[g] >= 0) || Double.isInfinite(rates[g])) {
                throw new IllegalArgumentException("CyclicLR: step " + epoch + " gives group " + g + " the rate "
                        + rates[g] + " (scale " + scale + "); the scale function must keep rates finite and >= 0");
            }
        }
        for (int g = 0; g < rates.length; g++) {
            groups.get(g).setLr(rates[g]);
        }
        if (cycleMomentum) {
            optimizer.setMomentumOrBeta1(maxMomentum - (maxMomentum - baseMomentum) * climb * scale);
        }
    }
}
