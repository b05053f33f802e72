package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import java.util.Map;

/**
 * Linear warm-up over the first {@code warmupEpochs} epochs, then another schedule (or the base rate).
 * Epoch k of the warm-up (k = 1..W, counting from 1) trains at {@code base * k / W}: the schedule sets
 * {@code base / W} when it is made, and after epoch e &lt; W sets {@code base * (e + 1) / W} (PyTorch's
 * {@code LinearLR} with start factor 1/W over W - 1 steps). After epoch e &gt;= W it hands over to
 * {@code inner.step(e - W, loss)}, so that the inner schedule's epoch 0 follows the warm-up (PyTorch's
 * {@code SequentialLR} with milestone W); without an inner schedule the rate stays at the base.
 * The inner schedule, on the same optimizer, shares the warm-up's base rates ({@link
 * dev.kiln.optim.ParamGroup#initialLr()}) whichever is made first. {@link SequentialLR} runs any schedules in turn.
 */
public final class LinearWarmup implements LearningRateSchedule {
    private final BaseRates rates;
    private final int warmupEpochs;
    private final LearningRateSchedule inner;

    /**
     * @param inner the schedule after the warm-up, or null to keep the base rate
     */
    public LinearWarmup(Optimizer optimizer, int warmupEpochs, LearningRateSchedule inner) {
        if (warmupEpochs < 1) {
            throw new IllegalArgumentException("LinearWarmup: warmupEpochs must be >= 1, got " + warmupEpochs);
        }
        this.rates = new BaseRates("LinearWarmup", optimizer);
        this.warmupEpochs = warmupEpochs;
        this.inner = inner;
        rates.set(base -> base / warmupEpochs);
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("LinearWarmup", epoch);
        if (epoch < warmupEpochs) {
            double factor = (epoch + 1) / (double) warmupEpochs;
            rates.set(base -> base * factor);
        } else if (inner != null) {
            inner.step(epoch - warmupEpochs, validationLoss);
        } else {
            rates.set(base -> base);
        }
    }

    /** The inner schedule's state (the warm-up itself needs only the epoch). */
    @Override
    public Map<String, Double> stateDict() {
        return inner == null ? Map.of() : inner.stateDict();
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        if (inner == null) {
            LearningRateSchedule.super.loadStateDict(state);
        } else {
            inner.loadStateDict(state);
        }
    }
}
