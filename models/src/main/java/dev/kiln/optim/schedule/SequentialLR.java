package dev.kiln.optim.schedule;

import dev.kiln.optim.Optimizer;
import java.util.List;

/**
 * Runs one schedule after another, switching at milestone epochs, as PyTorch 1.13's {@code SequentialLR}: after
 * epoch e, the schedule whose span holds e sets the rate as after {@code e - m} of its own epochs, m the milestone
 * that started it (0 for the first). At a milestone the next schedule starts afresh from its own epoch 0 (PyTorch's
 * {@code scheduler.step(0)}), except {@link MultiplicativeLR}, which as in PyTorch goes on from the rate the schedule
 * before it left. The warm-up-then-cosine case:
 * <pre>{@code
 * LearningRateSchedule warmup = new LinearLR(optimizer, 0.1, 1, 5);
 * LearningRateSchedule cosine = new CosineAnnealingLR(optimizer, 95, 0);
 * LearningRateSchedule schedule = new SequentialLR(optimizer, List.of(warmup, cosine), List.of(5));
 * }</pre>
 * Made after its schedules (on the same optimizer, which share its base rates, {@link
 * dev.kiln.optim.ParamGroup#initialLr()}), it sets the first schedule's epoch-0 rates. Not {@link ReduceLROnPlateau}
 * nor any schedule that keeps state: they watch losses rather than epochs (PyTorch's cannot step it either). Closed
 * form in the epoch, it keeps nothing either, so a resumed run needs only the epoch.
 */
public final class SequentialLR implements LearningRateSchedule {
    private final List<LearningRateSchedule> schedules;
    private final int[] milestones;

    /**
     * @param schedules  the schedules in the order they run, at least one
     * @param milestones the epochs (from 1, increasing) at which each schedule after the first takes over: one fewer
     *                   than the schedules
     */
    public SequentialLR(Optimizer optimizer, List<? extends LearningRateSchedule> schedules,
                        List<Integer> milestones) {
        checkSchedules(schedules);
        this.milestones = checkedMilestones(milestones, schedules.size());
        this.schedules = List.copyOf(schedules);
        new BaseRates("SequentialLR", optimizer).set(base -> base);
        this.schedules.get(0).step(0, Double.NaN);
    }

    private static void checkSchedules(List<? extends LearningRateSchedule> schedules) {
        if (schedules == null || schedules.isEmpty()) {
            throw new IllegalArgumentException("SequentialLR: needs at least one schedule, got "
                    + (schedules == null ? "null" : "none"));
        }
        for (int i = 0; i < schedules.size(); i++) {
            LearningRateSchedule s = schedules.get(i);
            if (s == null) {
                throw new IllegalArgumentException("SequentialLR: schedule " + i + " is null");
            }
            if (!s.stateDict().isEmpty()) {
                throw new IllegalArgumentException("SequentialLR: schedule " + i + " (" + s.getClass().getSimpleName()
                        + ") keeps " + s.stateDict().keySet() + " from the losses it watches; a schedule between"
                        + " milestones follows epochs alone (PyTorch's cannot step ReduceLROnPlateau either)");
            }
        }
    }

    private static int[] checkedMilestones(List<Integer> milestones, int schedules) {
        if (milestones == null || milestones.size() != schedules - 1) {
            throw new IllegalArgumentException("SequentialLR: expected " + (schedules - 1) + " milestones for "
                    + schedules + " schedules, got " + milestones);
        }
        int[] out = new int[milestones.size()];
        for (int i = 0; i < out.length; i++) {
            Integer m = milestones.get(i);
            int previous = i == 0 ? 0 : out[i - 1];
            if (m == null || m <= previous) {
                throw new IllegalArgumentException("SequentialLR: milestones must be increasing epochs >= 1, got "
                        + milestones);
            }
            out[i] = m;
        }
        return out;
    }

    @Override
    public void step(int epoch, double validationLoss) {
        BaseRates.checkEpoch("SequentialLR", epoch);
        int index = 0;
        while (index < milestones.length && milestones[index] <= epoch) {
            index++;
        }
        int start = index == 0 ? 0 : milestones[index - 1];
        LearningRateSchedule schedule = schedules.get(index);
        if (index > 0 && schedule instanceof MultiplicativeLR multiplicative) {
            // PyTorch's step(0) of a MultiplicativeLR keeps the rate it finds: the previous schedule's last.
            step(start - 1, validationLoss);
            multiplicative.continueFromCurrentRates(epoch - start);
        } else {
            schedule.step(epoch - start, validationLoss);
        }
    }
}
