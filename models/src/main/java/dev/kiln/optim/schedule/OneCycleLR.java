package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;

/**
 * The 1cycle policy (Smith and Topin), as PyTorch's {@code OneCycleLR}: the learning rate climbs from
 * {@code maxLr / divFactor} to {@code maxLr} over the first {@code pctStart} of {@code totalSteps} steps and then
 * anneals to {@code maxLr / divFactor / finalDivFactor}; with {@code threePhase} it comes back down to the starting
 * rate over a second {@code pctStart} before annealing. Each phase follows a half cosine or a straight line
 * ({@link AnnealStrategy}). Every group gets the same rates; the groups' own learning rates are not used. The
 * schedule sets the starting rate when it is made, and after step s the rate PyTorch's has after s calls of
 * {@code scheduler.step()}.
 *
 * <p>Give it to {@code Trainer.schedulePerStep} with {@code totalSteps} = epochs times
 * {@code Trainer.stepsPerEpoch}, as PyTorch's is stepped after every batch (a training loop of its own calls
 * {@code step(s, NaN)} after step s); given to {@code Trainer.schedule}, it steps once per epoch and
 * {@code totalSteps} is the number of epochs. Stepping past {@code totalSteps} is refused, as in PyTorch. At step
 * {@code totalSteps} itself (one past the last step that trains) PyTorch's formula runs past the end of the last
 * phase; with the linear strategy that gives a negative rate, where this schedule sets 0.
 *
 * <p>PyTorch also cycles the momentum (SGD's momentum, Adam's beta1) against the rate by default. Kiln's optimizers
 * keep momentum and betas per optimizer, not per parameter group, so this schedule does not: it matches PyTorch's
 * {@code OneCycleLR(..., cycle_momentum=False)}.
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
    private final double[] phaseRates;

    /** PyTorch's defaults: pctStart 0.3, {@link AnnealStrategy#COS}, divFactor 25, finalDivFactor 1e4, two phases. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, AnnealStrategy.COS, 25, 1e4, false);
    }

    /**
     * @param maxLr          the highest rate, finite and at least 0
     * @param totalSteps     the number of steps in the cycle, at least 1
     * @param pctStart       the share of the steps spent rising, in [0, 1]
     * @param divFactor      the starting rate is {@code maxLr / divFactor}; finite and above 0
     * @param finalDivFactor the last rate is the starting rate divided by this; finite and above 0
     * @param threePhase     come back down to the starting rate before the final annealing
     */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, AnnealStrategy strategy,
                      double divFactor, double finalDivFactor, boolean threePhase) {
        if (optimizer == null) {
            throw new IllegalArgumentException("OneCycleLR: optimizer must not be null");
        }
        if (!(maxLr >= 0) || Double.isInfinite(maxLr)) {
            throw new IllegalArgumentException("OneCycleLR: maxLr must be finite and >= 0, got " + maxLr);
        }
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
        this.optimizer = optimizer;
        this.totalSteps = totalSteps;
        this.pctStart = pctStart;
        this.strategy = strategy;
        double initialLr = maxLr / divFactor;
        double minLr = initialLr / finalDivFactor;
        double rise = pctStart * totalSteps;
        if (threePhase) {
            this.phaseEnds = new double[] {rise - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1};
            this.phaseRates = new double[] {initialLr, maxLr, initialLr, minLr};
        } else {
            this.phaseEnds = new double[] {rise - 1, totalSteps - 1};
            this.phaseRates = new double[] {initialLr, maxLr, minLr};
        }
        setAll(rate(0));
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
        setAll(rate(epoch));
    }

    /** The rate after {@code step} steps: the first phase that {@code step} does not pass, or the last. */
    private double rate(int step) {
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
        return Math.max(0, anneal(phaseRates[phase], phaseRates[phase + 1], pct));
    }

    private double anneal(double start, double end, double pct) {
        return switch (strategy) {
            case COS -> end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
            case LINEAR -> (end - start) * pct + start;
        };
    }

    private void setAll(double lr) {
        for (ParamGroup g : optimizer.groups()) {
            g.setLr(lr);
        }
    }
}
