package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * Cosine annealing from the base rate to {@code etaMin} that restarts at the base rate, the first cycle
 * {@code t0} epochs long and each next one {@code tMult} times longer, as PyTorch's
 * {@code CosineAnnealingWarmRestarts} stepped once per epoch: after epoch e, with {@code tCur} the epochs into the
 * current cycle and {@code tI} its length, {@code lr = etaMin + (base - etaMin) * (1 + cos(pi * tCur / tI)) / 2}.
 * PyTorch's defaults are tMult 1 and etaMin 0.
 */
public final class CosineAnnealingWarmRestarts implements LearningRateSchedule {
    private final BaseRates rates;
    private final int t0;
    private final int tMult;
    private final double etaMin;

    /**
     * @param t0     the length of the first cycle in epochs, at least 1
     * @param tMult  how many times longer each cycle is than the one before, at least 1
     * @param etaMin the rate at the bottom of each cycle, finite and at least 0
     */
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
        if (t0 < 1) {
            throw new IllegalArgumentException("CosineAnnealingWarmRestarts: t0 must be >= 1, got " + t0);
        }
        if (tMult < 1) {
            throw new IllegalArgumentException("CosineAnnealingWarmRestarts: tMult must be >= 1, got " + tMult);
        }
        if (!(etaMin >= 0) || Double.isInfinite(etaMin)) {
            throw new IllegalArgumentException("CosineAnnealingWarmRestarts: etaMin must be finite and >= 0, got "
                    + etaMin);
        }
        this.rates = new BaseRates("CosineAnnealingWarmRestarts", optimizer);
        this.t0 = t0;
        this.tMult = tMult;
        this.etaMin = etaMin;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("CosineAnnealingWarmRestarts", epoch);
        long cycle = t0;
        long intoCycle = epoch;
        if (tMult == 1) {
            intoCycle %= cycle;
        }
        // PyTorch's per-step count (not its closed form's logarithm, which rounds at some cycle ends).
        while (intoCycle >= cycle) {
            intoCycle -= cycle;
            cycle *= tMult;
        }
        double cosine = 1 + Math.cos(Math.PI * intoCycle / cycle);
        rates.set(base -> etaMin + (base - etaMin) * cosine / 2);
    }
}
