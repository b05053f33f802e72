package dev.kiln.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A resumed run continues the checkpoint's run: every setting the checkpoint recorded must be repeated
 * unchanged, or the run would silently become a different one.
 */
final class ResumeCheck {
    private ResumeCheck() {
    }

    /**
     * Throws when settings of {@code run} differ from those {@code checkpoint} recorded, naming each with both
     * values. Settings an older checkpoint did not record are not checked.
     */
    static void requireSameRun(Map<String, String> checkpoint, Map<String, String> run, String file) {
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> setting : run.entrySet()) {
            String recorded = checkpoint.get(setting.getKey());
            if (recorded != null && !recorded.equals(setting.getValue())) {
                differences.add(setting.getKey() + " '" + recorded + "', this run asks for '" + setting.getValue() + "'");
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("--resume " + file + ": the checkpoint was trained with "
                    + String.join("; with ", differences) + "; repeat the original run's options");
        }
    }
}
