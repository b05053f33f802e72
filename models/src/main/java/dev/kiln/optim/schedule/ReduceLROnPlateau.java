package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Multiplies the learning rate by {@code factor} when the monitored loss has not improved for more than
 * {@code patience} epochs, as PyTorch's {@code ReduceLROnPlateau} in mode "min" with a relative
 * threshold (default 1e-4: a loss counts as better when below {@code best * (1 - threshold)}) and a
 * cooldown (default 0 epochs) after each reduction. Each group's rate becomes
 * {@code max(lr * factor, minLr)}, and changes only when it moves by more than 1e-8. A NaN loss never
 * counts as better. The epoch number is not used.
 */
public final class ReduceLROnPlateau implements LearningRateSchedule {
    private static final double MIN_CHANGE = 1e-8;
    private static final String BEST = "best";
    private static final String BAD_EPOCHS = "num_bad_epochs";
    private static final String COOLDOWN_LEFT = "cooldown_counter";

    private final Optimizer optimizer;
    private final double factor;
    private final int patience;
    private final double minLr;
    private final double threshold;
    private final int cooldown;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;
    private int cooldownLeft;

    public ReduceLROnPlateau(Optimizer optimizer, double factor, int patience, double minLr) {
        this(optimizer, factor, patience, minLr, 1e-4, 0);
    }

    /**
     * @param threshold relative improvement needed to count as better, at least 0
     * @param cooldown  epochs to wait after a reduction before counting bad epochs again
     */
    public ReduceLROnPlateau(Optimizer optimizer, double factor, int patience, double minLr, double threshold,
                             int cooldown) {
        if (optimizer == null) {
            throw new IllegalArgumentException("ReduceLROnPlateau: optimizer must not be null");
        }
        if (!(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in (0, 1), got " + factor);
        }
        if (patience < 0 || cooldown < 0) {
            throw new IllegalArgumentException("ReduceLROnPlateau: patience and cooldown must be >= 0, got "
                    + patience + " and " + cooldown);
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: minLr must be finite and >= 0, got " + minLr);
        }
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: threshold must be finite and >= 0, got " + threshold);
        }
        this.optimizer = optimizer;
        this.factor = factor;
        this.patience = patience;
        this.minLr = minLr;
        this.threshold = threshold;
        this.cooldown = cooldown;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        if (validationLoss < best * (1 - threshold)) {
            best = validationLoss;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (ParamGroup g : optimizer.groups()) {
                double reduced = Math.max(g.lr() * factor, minLr);
                if (g.lr() - reduced > MIN_CHANGE) {
                    g.setLr(reduced);
                }
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }

    /** {@code best}, {@code num_bad_epochs} and {@code cooldown_counter}, as PyTorch's state_dict names them. */
    @Override
    public Map<String, Double> stateDict() {
        Map<String, Double> state = new LinkedHashMap<>();
        state.put(BEST, best);
        state.put(BAD_EPOCHS, (double) badEpochs);
        state.put(COOLDOWN_LEFT, (double) cooldownLeft);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        if (state.isEmpty()) {
            return;
        }
        if (!state.keySet().equals(Set.of(BEST, BAD_EPOCHS, COOLDOWN_LEFT))) {
            throw new IllegalArgumentException("ReduceLROnPlateau: a state has exactly " + List.of(BEST, BAD_EPOCHS,
                    COOLDOWN_LEFT) + ", got " + state.keySet());
        }
        double loadedBest = state.get(BEST);
        if (Double.isNaN(loadedBest)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: " + BEST + " must be a loss or infinity, got NaN");
        }
        int loadedBadEpochs = count(state, BAD_EPOCHS);
        int loadedCooldownLeft = count(state, COOLDOWN_LEFT);
        best = loadedBest;
        badEpochs = loadedBadEpochs;
        cooldownLeft = loadedCooldownLeft;
    }

    private static int count(Map<String, Double> state, String name) {
        double v = state.get(name);
        if (!(v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v))) {
            throw new IllegalArgumentException("ReduceLROnPlateau: " + name + " must be a whole number >= 0, got " + v);
        }
        return (int) v;
    }

    /** The lowest loss seen so far (infinity before the first). */
    public double best() {
        return best;
    }

    /** Epochs since the last improvement (reset by a reduction and during the cooldown). */
    public int badEpochs() {
        return badEpochs;
    }
}
