package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * Cosine annealing from the base rate to {@code minLr} over {@code tMax} epochs, as PyTorch's
 * {@code CosineAnnealingLR} (closed form, no restarts):
 * {@code lr = minLr + (base - minLr) * (1 + cos(pi * e / tMax)) / 2}. Like PyTorch's, it keeps following
 * the cosine after {@code tMax} (rising again); stop or switch schedules there.
 */
public final class CosineAnnealingLR implements LearningRateSchedule {
    private final BaseRates rates;
    private final int tMax;
    private final double minLr;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double minLr) {
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: tMax must be >= 1, got " + tMax);
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("CosineAnnealingLR: minLr must be finite and >= 0, got " + minLr);
        }
        this.rates = new BaseRates("CosineAnnealingLR", optimizer);
        this.tMax = tMax;
        this.minLr = minLr;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("CosineAnnealingLR", epoch);
        double cosine = (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
        rates.set(base -> minLr + (base - minLr) * cosine);
    }
}
