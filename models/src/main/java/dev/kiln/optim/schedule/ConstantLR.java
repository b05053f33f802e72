package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * Trains the first {@code totalIters} epochs at {@code factor} times the base rate and then at the base rate, as
 * PyTorch's {@code ConstantLR}: the schedule sets {@code base * factor} when it is made, and after epoch e sets
 * {@code base * factor} while {@code e < totalIters}, {@code base} from then on. PyTorch's defaults are factor 1/3
 * and 5 epochs.
 */
public final class ConstantLR implements ChainableSchedule {
    private final BaseRates rates;
    private final double factor;
    private final int totalIters;

    /**
     * @param factor     the share of the base rate for the first epochs, in [0, 1]
     * @param totalIters how many epochs train at the lowered rate, at least 1
     */
    public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
        if (!(factor >= 0 && factor <= 1)) {
            throw new IllegalArgumentException("ConstantLR: factor must be in [0, 1], got " + factor);
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("ConstantLR: totalIters must be >= 1, got " + totalIters);
        }
        this.rates = new BaseRates("ConstantLR", optimizer);
        this.factor = factor;
        this.totalIters = totalIters;
        rates.set(base -> base * factor);
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("ConstantLR", epoch);
        double f = factor(0, epoch);
        rates.set(base -> base * f);
    }

    @Override
    public double factor(int group, int epoch) {
        return epoch >= totalIters ? 1 : factor;
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
