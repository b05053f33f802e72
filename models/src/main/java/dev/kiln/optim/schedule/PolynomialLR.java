package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * Decays the learning rate to 0 over {@code totalIters} epochs along a polynomial, as PyTorch's
 * {@code PolynomialLR}: after epoch e, {@code lr = base * (1 - min(e, totalIters) / totalIters)^power}. PyTorch's
 * defaults are 5 epochs and power 1 (a straight line).
 */
public final class PolynomialLR implements ChainableSchedule {
    private final BaseRates rates;
    private final int totalIters;
    private final double power;

    /**
     * @param totalIters epochs until the rate reaches 0, at least 1
     * @param power      the polynomial's power, finite and at least 0
     */
    public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
        if (totalIters < 1) {
            throw new IllegalArgumentException("PolynomialLR: totalIters must be >= 1, got " + totalIters);
        }
        if (!(power >= 0) || Double.isInfinite(power)) {
            throw new IllegalArgumentException("PolynomialLR: power must be finite and >= 0, got " + power);
        }
        this.rates = new BaseRates("PolynomialLR", optimizer);
        this.totalIters = totalIters;
        this.power = power;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("PolynomialLR", epoch);
        double factor = factor(0, epoch);
        rates.set(base -> base * factor);
    }

    @Override
    public double factor(int group, int epoch) {
        return Math.pow(1.0 - (double) Math.min(totalIters, epoch) / totalIters, power);
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
