package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;

/**
 * A schedule whose rate after epoch e is each group's base rate times a factor of e, so that several compose by
 * multiplying their factors, as PyTorch's chainable schedules ({@code StepLR}, {@code MultiStepLR},
 * {@code ExponentialLR}, {@code ConstantLR}, {@code LinearLR}, {@code PolynomialLR}, {@code MultiplicativeLR}) compose
 * in a {@link ChainedScheduler}.
 */
public interface ChainableSchedule extends LearningRateSchedule {
    /** The share of group {@code group}'s base rate that this schedule sets after epoch {@code epoch} (from 0). */
    double factor(int group, int epoch);

    /** The optimizer whose rates it sets. */
    Optimizer optimizer();
}
