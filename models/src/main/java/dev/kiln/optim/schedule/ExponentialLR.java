package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/** Multiplies the learning rate by {@code gamma} every epoch, as PyTorch's {@code ExponentialLR}: {@code lr = base * gamma^e}. */
public final class ExponentialLR implements ChainableSchedule {
    private final BaseRates rates;
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("ExponentialLR: gamma must be finite and >= 0, got " + gamma);
        }
        this.rates = new BaseRates("ExponentialLR", optimizer);
        this.gamma = gamma;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("ExponentialLR", epoch);
        double factor = factor(0, epoch);
        rates.set(base -> base * factor);
    }

    @Override
    public double factor(int group, int epoch) {
        return Math.pow(gamma, epoch);
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
