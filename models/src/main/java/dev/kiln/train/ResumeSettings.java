package dev.kiln.train;

import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.LearningRateSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Trainer}'s checkpoint records of its settings (metadata {@code trainer.<name>}) that a resumed run must
 * share to go on as the interrupted one would have: the optimizer's class and {@link Optimizer#settings()}, the
 * classes of the schedules, gradient accumulation and clipping. The rates, weight decay, momentum or
 * beta1, the schedule's and the loss scaler's state come from the checkpoint itself. A schedule's own arguments (a
 * StepLR's step size) and a function (LambdaLR's) are not recorded, as PyTorch saves no function either.
 */
final class ResumeSettings {
    private static final String PREFIX = "trainer.";

    private ResumeSettings() {
    }

    /** The settings of a trainer with these parts, by metadata key; a part that is off reads "none". */
    static Map<String, String> of(Optimizer optimizer, LearningRateSchedule schedule, LearningRateSchedule stepSchedule,
                                  int accumulation, GradientClipping clipping) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(PREFIX + "optimizer", optimizer.getClass().getSimpleName() + optimizer.settings());
        s.put(PREFIX + "schedule", nameOf(schedule));
        s.put(PREFIX + "schedule_per_step", nameOf(stepSchedule));
        s.put(PREFIX + "accumulate_grad_batches", Integer.toString(accumulation));
        s.put(PREFIX + "clip_grad_norm", clipping == null ? "none"
                : "max_norm " + clipping.maxNorm() + ", norm_type " + clipping.normType());
        return s;
    }

    private static String nameOf(LearningRateSchedule s) {
        return s == null ? "none" : s.getClass().getSimpleName();
    }

    /**
     * Refuses to resume from {@code file}, whose metadata is {@code recorded}, when a setting it records differs from
     * {@code current}'s, naming every such setting with both values. A checkpoint from before these were recorded
     * has none to compare.
     */
    static void requireSame(Map<String, String> recorded, Map<String, String> current, Path file) {
        List<String> differences = new ArrayList<>();
        current.forEach((key, value) -> {
            String written = recorded.get(key);
            if (written != null && !written.equals(value)) {
                differences.add(key.substring(PREFIX.length()) + ": checkpoint " + written + ", this trainer " + value);
            }
        });
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException(file + " was written by a trainer set up otherwise, so a resume would"
                    + " not go on as the interrupted run would have:\n  " + String.join("\n  ", differences)
                    + "\nset this trainer up as that run's before calling resume, or start a new run from its weights"
                    + " (Trainer.loadModel)");
        }
    }
}
