package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import java.util.List;

/**
 * Steps several schedules together, each scaling the rate the ones before it set, as PyTorch's
 * {@code ChainedScheduler}: after epoch e each group's rate is its base rate times every schedule's factor at e
 * ({@link ChainableSchedule#factor}). For example, {@code ConstantLR(factor 0.1, 2 epochs)} chained with
 * {@code ExponentialLR(0.9)} gives {@code base * 0.1 * 0.9^e} for e &lt; 2 and {@code base * 0.9^e} after. The
 * schedules must be chainable (the ones PyTorch's multiplies: {@link StepLR}, {@link MultiStepLR},
 * {@link ExponentialLR}, {@link ConstantLR}, {@link LinearLR}, {@link PolynomialLR}, {@link MultiplicativeLR}) and set
 * the rates of one optimizer; made after them, it sets their combined epoch-0 rates. Closed form in the epoch, it
 * keeps no state, so a resumed run needs only the epoch.
 */
public final class ChainedScheduler implements LearningRateSchedule {
    private final List<ChainableSchedule> schedules;
    private final BaseRates rates;

    /** @param schedules at least one, each a {@link ChainableSchedule} of the same optimizer */
    public ChainedScheduler(List<? extends LearningRateSchedule> schedules) {
        this.schedules = chainable(schedules);
        Optimizer optimizer = this.schedules.get(0).optimizer();
        for (int i = 1; i < this.schedules.size(); i++) {
            if (this.schedules.get(i).optimizer() != optimizer) {
                throw new IllegalArgumentException("ChainedScheduler: schedules 0 and " + i
                        + " set the rates of different optimizers; chained schedules share one");
            }
        }
        this.rates = new BaseRates("ChainedScheduler", optimizer);
        step(0, Double.NaN);
    }

    private static List<ChainableSchedule> chainable(List<? extends LearningRateSchedule> schedules) {
        if (schedules == null || schedules.isEmpty()) {
            throw new IllegalArgumentException("ChainedScheduler: needs at least one schedule, got "
                    + (schedules == null ? "null" : "none"));
        }
        for (int i = 0; i < schedules.size(); i++) {
            LearningRateSchedule s = schedules.get(i);
            if (!(s instanceof ChainableSchedule)) {
                throw new IllegalArgumentException("ChainedScheduler: schedule " + i + " ("
                        + (s == null ? "null" : s.getClass().getSimpleName()) + ") is not chainable: a chain multiplies"
                        + " base-rate factors (StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR, PolynomialLR,"
                        + " MultiplicativeLR)");
            }
        }
        return schedules.stream().map(ChainableSchedule.class::cast).toList();
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("ChainedScheduler", epoch);
        rates.setFactors(group -> {
            double factor = 1;
            for (ChainableSchedule s : schedules) {
                factor *= s.factor(group, epoch);
            }
            return factor;
        });
    }
}
