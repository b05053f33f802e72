package dev.kiln.cli;

import java.util.Map;

/**
 * A resumed run continues the checkpoint's run: every setting the checkpoint recorded must be repeated
 * unchanged, or the run would silently become a different one.
 */
final class ResumeCheck {
    private ResumeCheck() {
    }

    /**
     * Throws when a setting of {@code run} differs from the one {@code checkpoint} recorded, naming both.
     * Settings an older checkpoint did not record are not checked.
     */
    static void requireSameRun(Map<String, String> checkpoint, Map<String, String> run, String file) {
        for (Map.Entry<String, String> setting : run.entrySet()) {
            String recorded = checkpoint.get(setting.getKey());
            if (recorded != null && !recorded.equals(setting.getValue())) {
                throw new IllegalArgumentException("--resume " + file + ": the checkpoint was trained with "
                        + setting.getKey() + " '" + recorded + "', this run asks for '" + setting.getValue()
                        + "'; repeat the original run's options");
            }
        }
    }
}
