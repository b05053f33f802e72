package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as PyTorch's {@code StepLR}:
 * after epoch e, {@code lr = base * gamma^floor(e / stepSize)}.
 */
public final class StepLR implements ChainableSchedule {
    private final BaseRates rates;
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: stepSize must be >= 1, got " + stepSize);
        }
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("StepLR: gamma must be finite and >= 0, got " + gamma);
        }
        this.rates = new BaseRates("StepLR", optimizer);
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("StepLR", epoch);
        double factor = factor(0, epoch);
        rates.set(base -> base * factor);
    }

    @Override
    public double factor(int group, int epoch) {
        return Math.pow(gamma, epoch / stepSize);
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
