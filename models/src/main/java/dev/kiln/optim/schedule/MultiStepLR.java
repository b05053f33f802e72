package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import java.util.List;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch, as PyTorch's {@code MultiStepLR}: after
 * epoch e, {@code lr = base * gamma^m} with m the number of milestones at or below e. As in PyTorch the milestones
 * may come in any order, and one given twice multiplies by {@code gamma} twice.
 */
public final class MultiStepLR implements ChainableSchedule {
    private final BaseRates rates;
    private final int[] milestones;
    private final double gamma;

    /**
     * @param milestones epochs (from 1) after which the rate drops
     * @param gamma      the factor of each drop, finite and at least 0 (PyTorch's default is 0.1)
     */
    public MultiStepLR(Optimizer optimizer, List<Integer> milestones, double gamma) {
        if (milestones == null) {
            throw new IllegalArgumentException("MultiStepLR: milestones must not be null");
        }
        for (Integer m : milestones) {
            if (m == null || m < 1) {
                throw new IllegalArgumentException("MultiStepLR: milestones must be epochs >= 1, got " + m + " in "
                        + milestones);
            }
        }
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("MultiStepLR: gamma must be finite and >= 0, got " + gamma);
        }
        this.rates = new BaseRates("MultiStepLR", optimizer);
        this.milestones = milestones.stream().mapToInt(Integer::intValue).sorted().toArray();
        this.gamma = gamma;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("MultiStepLR", epoch);
        double factor = factor(0, epoch);
        rates.set(base -> base * factor);
    }

    /** How many milestones are at or below {@code epoch} (Python's {@code bisect_right}, as PyTorch counts them). */
    private int milestonesReached(int epoch) {
        int reached = 0;
        while (reached < milestones.length && milestones[reached] <= epoch) {
            reached++;
        }
        return reached;
    }

    @Override
    public double factor(int group, int epoch) {
        return Math.pow(gamma, milestonesReached(epoch));
    }

    @Override
    public Optimizer optimizer() {
        return rates.optimizer();
    }
}
