package dev.kiln.optim.schedule;

import java.util.Map;

/**
 * Changes an optimizer's learning rate between epochs, as PyTorch's {@code torch.optim.lr_scheduler}
 * called once per epoch.
 *
 * <p>{@link #step} is called at the end of epoch {@code epoch}, counting from 1 (as {@code Trainer} does),
 * and sets the learning rate of the next epoch; {@code Trainer.schedulePerStep} calls it after every optimizer
 * step instead, with the step's number, for schedules sized in steps. The schedules here are closed-form in the number of
 * completed epochs {@code e = epoch}: after {@code step(e, ...)} every group's learning rate is PyTorch's
 * value after {@code e} calls of {@code scheduler.step()}, computed from the group's learning rate when
 * the first schedule was made on it (its base rate, PyTorch's {@code initial_lr}: {@link
 * dev.kiln.optim.ParamGroup#initialLr()}), which every later schedule on the group shares. The optimizer's state
 * dict saves it, so that a schedule made after loading a checkpoint that had one takes the run's first rates rather
 * than the decayed ones the checkpoint left.
 */
public interface LearningRateSchedule {
    /**
     * @param epoch          the epoch just completed, from 1
     * @param validationLoss its validation loss (or whatever is monitored; NaN when unknown), used by
     *                       {@link ReduceLROnPlateau}
     */
    void step(int epoch, double validationLoss);

    /**
     * What the schedule remembers from earlier epochs besides the learning rates (PyTorch's scheduler
     * {@code state_dict()}), by name, for checkpoints; empty for the closed-form schedules, which need nothing
     * but the epoch.
     */
    default Map<String, Double> stateDict() {
        return Map.of();
    }

    /**
     * Restores what {@link #stateDict()} of a schedule of the same kind returned, so that a resumed run goes on
     * as if it had not stopped. An empty map (a checkpoint written before schedules saved their state) leaves
     * the schedule as it is.
     *
     * @throws IllegalArgumentException naming the entries when they are not this schedule's
     */
    default void loadStateDict(Map<String, Double> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " keeps no state, got " + state.keySet());
        }
    }
}
