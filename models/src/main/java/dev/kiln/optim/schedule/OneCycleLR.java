package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.Arrays;
import java.util.List;

/**
 * The 1cycle policy (Smith and Topin), as PyTorch's {@code OneCycleLR}: the learning rate climbs from
 * {@code maxLr / divFactor} to {@code maxLr} over the first {@code pctStart} of {@code totalSteps} steps and then
 * anneals to {@code maxLr / divFactor / finalDivFactor}; with {@code threePhase} it comes back down to the starting
 * rate over a second {@code pctStart} before annealing. Each phase follows a half cosine or a straight line
 * ({@link AnnealStrategy}). Every group gets the same rates, or those of its own {@code maxLr} (PyTorch's list of
 * {@code max_lr}); the groups' own learning rates are not used. The
 * schedule sets the starting rate when it is made, and records it as each group's {@link ParamGroup#initialLr()}
 * (PyTorch's {@code initial_lr}, which it overwrites with {@code max_lr / div_factor}), the base of any schedule made
 * on the optimizer after it and saved in the optimizer's state dict; after step s it sets the rate PyTorch's has after
 * s calls of {@code scheduler.step()}. PyTorch also writes {@code max_lr}, {@code min_lr}, {@code max_momentum} and
 * {@code base_momentum} into each group; here the schedule keeps them, and a run resumed from a checkpoint makes the
 * schedule again with the same arguments and steps it to where the run stopped.
 *
 * <p>Give it to {@code Trainer.schedulePerStep} with {@code totalSteps} = epochs times
 * {@code Trainer.stepsPerEpoch}, as PyTorch's is stepped after every batch (a training loop of its own calls
 * {@code step(s, NaN)} after step s); given to {@code Trainer.schedule}, it steps once per epoch and
 * {@code totalSteps} is the number of epochs. Stepping past {@code totalSteps} is refused, as in PyTorch. At step
 * {@code totalSteps} itself (one past the last step that trains) PyTorch's formula runs past the end of the last
 * phase; with the linear strategy that gives a negative rate, where this schedule sets 0, and a momentum past
 * {@code maxMomentum} (Adam's beta1 past 1 for a maxMomentum near 1), where this schedule keeps it within
 * [baseMomentum, maxMomentum]: PyTorch 1.13's values otherwise.
 *
 * <p>As PyTorch's by default ({@code cycle_momentum=True}), it also moves the optimizer's momentum or beta1
 * ({@link Optimizer#momentumOrBeta1()}) against the rate: from {@code maxMomentum} down to {@code baseMomentum} while
 * the rate rises, and back up while it falls (with three phases: back up while it comes down, then held), set to
 * {@code maxMomentum} when the schedule is made. Kiln's optimizers keep one momentum for all groups, as the
 * schedule gives every group the same one. An optimizer without momentum or beta1 needs {@code cycleMomentum}
 * false, as PyTorch's refuses it too.
 */
public final class OneCycleLR implements LearningRateSchedule {
    /** How the rate moves within a phase. */
    public enum AnnealStrategy {
        /** A half cosine (PyTorch's {@code 'cos'}, the default). */
        COS,
        /** A straight line (PyTorch's {@code 'linear'}). */
        LINEAR
    }

    private final Optimizer optimizer;
    private final int totalSteps;
    private final double pctStart;
    private final AnnealStrategy strategy;
    private final double[] phaseEnds;
    /** Each group's rate at each phase's ends: [group][phase end]. */
    private final double[][] phaseRates;
    /** The momentum at each phase's ends (one for every group); null without momentum cycling. */
    private final double[] phaseMomenta;
    /** The range the momentum cycles in, which the linear strategy's last step would leave. */
    private final double lowestMomentum;
    private final double highestMomentum;

    /**
     * PyTorch's defaults: pctStart 0.3, {@link AnnealStrategy#COS}, divFactor 25, finalDivFactor 1e4, two phases,
     * the momentum cycled between 0.85 and 0.95.
     */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, AnnealStrategy.COS, 25, 1e4, false);
    }

    /** The given rates with the momentum cycled between PyTorch's defaults, 0.85 and 0.95. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, AnnealStrategy strategy,
                      double divFactor, double finalDivFactor, boolean threePhase) {
        this(optimizer, maxLr, totalSteps, pctStart, strategy, divFactor, finalDivFactor, threePhase, true, 0.85,
                0.95);
    }

    /**
     * @param maxLr          the highest rate, finite and at least 0
     * @param totalSteps     the number of steps in the cycle, at least 1
     * @param pctStart       the share of the steps spent rising, in [0, 1]
     * @param divFactor      the starting rate is {@code maxLr / divFactor}; finite and above 0
     * @param finalDivFactor the last rate is the starting rate divided by this; finite and above 0
     * @param threePhase     come back down to the starting rate before the final annealing
     * @param cycleMomentum  move the optimizer's momentum or beta1 against the rate (PyTorch's {@code cycle_momentum})
     * @param baseMomentum   the momentum at the highest rate
     * @param maxMomentum    the momentum at the lowest rates, and when the schedule is made
     */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, AnnealStrategy strategy,
                      double divFactor, double finalDivFactor, boolean threePhase, boolean cycleMomentum,
                      double baseMomentum, double maxMomentum) {
        this(optimizer, forEveryGroup(optimizer, maxLr), totalSteps, pctStart, strategy, divFactor, finalDivFactor,
                threePhase, cycleMomentum, baseMomentum, maxMomentum);
    }

    /**
     * A highest rate for each group, as PyTorch's {@code max_lr} given as a list: group g's rates are those of
     * {@code maxLrs[g]}, its {@code initialLr} {@code maxLrs[g] / divFactor}; the other arguments as in
     * {@link #OneCycleLR(Optimizer, double, int, double, AnnealStrategy, double, double, boolean, boolean, double,
     * double)}.
     *
     * @throws IllegalArgumentException naming the entry when one is negative or not finite, or when there are not as
     *     many entries as groups
     */
    public OneCycleLR(Optimizer optimizer, double[] maxLrs, int totalSteps, double pctStart, AnnealStrategy strategy,
                      double divFactor, double finalDivFactor, boolean threePhase, boolean cycleMomentum,
                      double baseMomentum, double maxMomentum) {
        checkMaxLrs(optimizer, maxLrs);
        if (totalSteps < 1) {
            throw new IllegalArgumentException("OneCycleLR: totalSteps must be >= 1, got " + totalSteps);
        }
        if (!(pctStart >= 0 && pctStart <= 1)) {
            throw new IllegalArgumentException("OneCycleLR: pctStart must be in [0, 1], got " + pctStart);
        }
        if (strategy == null) {
            throw new IllegalArgumentException("OneCycleLR: strategy must be COS or LINEAR, got null");
        }
        checkDivisor("divFactor", divFactor);
        checkDivisor("finalDivFactor", finalDivFactor);
        if (cycleMomentum && optimizer.momentumOrBeta1().isEmpty()) {
            throw new IllegalArgumentException("OneCycleLR: " + optimizer.getClass().getSimpleName() + " has no momentum"
                    + " or beta1 to cycle; give cycleMomentum false (PyTorch's cycle_momentum=False)");
        }
        this.optimizer = optimizer;
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.strategy = strategy;
        double rise = pctStart * totalSteps;
        this.phaseRates = new double[maxLrs.length][];
        for (int g = 0; g < maxLrs.length; g++) {
            double initialLr = maxLrs[g] / divFactor;
            double minLr = initialLr / finalDivFactor;
            phaseRates[g] = threePhase ? new double[] {initialLr, maxLrs[g], initialLr, minLr}
                    : new double[] {initialLr, maxLrs[g], minLr};
        }
        if (threePhase) {
            this.phaseEnds = new double[] {rise - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1};
            this.phaseMomenta = cycleMomentum ? new double[] {maxMomentum, baseMomentum, maxMomentum, maxMomentum} : null;
        } else {
            this.phaseEnds = new double[] {rise - 1, totalSteps - 1};
            this.phaseMomenta = cycleMomentum ? new double[] {maxMomentum, baseMomentum, maxMomentum} : null;
        }
        this.lowestMomentum = Math.min(baseMomentum, maxMomentum);
        this.highestMomentum = Math.max(baseMomentum, maxMomentum);
        if (phaseMomenta != null) {
            checkMomentum(optimizer, baseMomentum);
            optimizer.setMomentumOrBeta1(maxMomentum);
        }
        List<ParamGroup> groups = optimizer.groups();
        for (int g = 0; g < maxLrs.length; g++) {
            groups.get(g).setInitialLr(phaseRates[g][0]);
        }
        setRates(0);
    }

    /** {@code maxLr} for each of the optimizer's groups. */
    private static double[] forEveryGroup(Optimizer optimizer, double maxLr) {
        if (optimizer == null) {
            throw new IllegalArgumentException("OneCycleLR: optimizer must not be null");
        }
        if (!(maxLr >= 0) || Double.isInfinite(maxLr)) {
            throw new IllegalArgumentException("OneCycleLR: maxLr must be finite and >= 0, got " + maxLr);
        }
        double[] maxLrs = new double[optimizer.groups().size()];
        Arrays.fill(maxLrs, maxLr);
        return maxLrs;
    }

    private static void checkMaxLrs(Optimizer optimizer, double[] maxLrs) {
        if (optimizer == null) {
            throw new IllegalArgumentException("OneCycleLR: optimizer must not be null");
        }
        if (maxLrs == null || maxLrs.length != optimizer.groups().size()) {
            throw new IllegalArgumentException("OneCycleLR: maxLrs needs one rate for each of the optimizer's "
                    + optimizer.groups().size() + " groups, got " + (maxLrs == null ? "null" : maxLrs.length));
        }
        for (int g = 0; g < maxLrs.length; g++) {
            if (!(maxLrs[g] >= 0) || Double.isInfinite(maxLrs[g])) {
                throw new IllegalArgumentException("OneCycleLR: maxLrs[" + g + "] must be finite and >= 0, got "
                        + maxLrs[g]);
            }
        }
    }

    /**
     * Lets the optimizer's own setter judge {@code momentum} now, when it would otherwise first be set midway through
     * training, and leaves the optimizer as it was.
     */
    private static void checkMomentum(Optimizer optimizer, double momentum) {
        double current = optimizer.momentumOrBeta1().getAsDouble();
        try {
            optimizer.setMomentumOrBeta1(momentum);
        } finally {
            optimizer.setMomentumOrBeta1(current);
        }
    }

    private static void checkDivisor(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("OneCycleLR: " + name + " must be finite and > 0, got " + value);
        }
    }

    /**
     * @param epoch the steps taken so far, from 1 to {@code totalSteps}
     */
    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("OneCycleLR", epoch);
        if (epoch > totalSteps) {
            throw new IllegalArgumentException("OneCycleLR: stepped " + epoch + " times, past totalSteps "
                    + totalSteps);
        }
        setRates(epoch);
        if (phaseMomenta != null) {
            double momentum = interpolate(phaseMomenta, epoch);
            optimizer.setMomentumOrBeta1(Math.max(lowestMomentum, Math.min(highestMomentum, momentum)));
        }
    }

    /** The value after {@code step} steps, given its values at the phases' ends: in the first phase step does not pass. */
    private double interpolate(double[] atPhaseEnds, int step) {
        double phaseStart = 0;
        int phase = 0;
        while (phase < phaseEnds.length - 1 && step > phaseEnds[phase]) {
            phaseStart = phaseEnds[phase];
            phase++;
        }
        double phaseEnd = phaseEnds[phase];
        if (phaseEnd == phaseStart) {
            throw new IllegalArgumentException("OneCycleLR: step " + step + " falls in phase " + (phase + 1)
                    + ", which pctStart " + pctStart + " of totalSteps " + totalSteps + " makes 0 steps long");
        }
        double pct = (step - phaseStart) / (phaseEnd - phaseStart);
        return anneal(atPhaseEnds[phase], atPhaseEnds[phase + 1], pct);
    }

    private double anneal(double start, double end, double pct) {
        return switch (strategy) {
            case COS -> end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
            case LINEAR -> (end - start) * pct + start;
        };
    }

    /** Sets each group's rate after {@code step} steps (0 where the linear strategy's formula passes below it). */
    private void setRates(int step) {
        List<ParamGroup> groups = optimizer.groups();
        for (int g = 0; g < phaseRates.length; g++) {
            groups.get(g).setLr(Math.max(0, interpolate(phaseRates[g], step)));
        }
    }
}
