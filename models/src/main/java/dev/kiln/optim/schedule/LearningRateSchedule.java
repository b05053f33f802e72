package dev.kiln.optim.schedule;

/**
 * Changes an optimizer's learning rate between epochs, as PyTorch's {@code torch.optim.lr_scheduler}
 * called once per epoch.
 *
 * <p>{@link #step} is called at the end of epoch {@code epoch}, counting from 1 (as {@code Trainer} does),
 * and sets the learning rate of the next epoch. The schedules here are closed-form in the number of
 * completed epochs {@code e = epoch}: after {@code step(e, ...)} every group's learning rate is PyTorch's
 * value after {@code e} calls of {@code scheduler.step()}, computed from the group's learning rate when
 * the schedule was made (its base rate, the rate of the first epoch). Make schedules before loading a
 * checkpoint into the optimizer, so that they see the base rates.
 */
public interface LearningRateSchedule {
    /**
     * @param epoch          the epoch just completed, from 1
     * @param validationLoss its validation loss (or whatever is monitored; NaN when unknown), used by
     *                       {@link ReduceLROnPlateau}
     */
    void step(int epoch, double validationLoss);
}
