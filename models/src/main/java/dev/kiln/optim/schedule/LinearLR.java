package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * Moves the learning rate in a straight line from {@code startFactor} to {@code endFactor} times the base rate over
 * {@code totalIters} epochs and then holds it, as PyTorch's {@code LinearLR}: the schedule sets
 * {@code base * startFactor} when it is made, and after epoch e sets
 * {@code base * (startFactor + (endFactor - startFactor) * min(e, totalIters) / totalIters)}. PyTorch's defaults
 * are 1/3, 1 and 5 epochs. {@link LinearWarmup} is the warm-up case, with another schedule after it.
 */
public final class LinearLR implements ChainableSchedule {
    private final BaseRates rates;
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /**
     * @param startFactor the share of the base rate in the first epoch, in [0, 1]
     * @param endFactor   the share from epoch {@code totalIters + 1} on, in [0, 1]
     * @param totalIters  epochs the change takes, at least 1
     */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        if (!(startFactor >= 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: startFactor must be in [0, 1], got " + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("LinearLR: endFactor must be in [0, 1], got " + endFactor);
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("LinearLR: totalIters must be >= 1, got " + totalIters);
        }
        this.rates = new BaseRates("LinearLR", optimizer);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        rates.set(base -> base * startFactor);
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("LinearLR", epoch);
        double factor = factor(0, epoch);
        rates.set(base -> base * factor);
    }

    @Override
    public double factor(int group, int epoch) {
        return startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters;
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
