package dev.kiln.cli;

import dev.kiln.data.DataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.train.Json;
import dev.kiln.train.LearningRateCurve;
import dev.kiln.train.LearningRateFinder;
import dev.kiln.train.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * {@code kiln train MODEL --find-lr}: runs a {@link LearningRateFinder} with a progress bar, leaves
 * {@link LearningRateCurve#PNG} and {@link LearningRateCurve#CSV} in the run directory, prints the suggested rate
 * with how to train with it, and ends with a JSON line.
 */
final class LearningRateSearch {
    private LearningRateSearch() {
    }

    /**
     * @param summary the run's figures for the JSON line (model, data, ...), to which this adds {@code steps},
     *                {@code stopped_early}, {@code suggested_lr} (null when there is none), {@code seconds} and
     *                {@code backend}
     */
    static void run(LearningRateFinder finder, DataLoader train, Path dir, Map<String, Object> summary, PrintStream out)
            throws IOException {
        long start = System.nanoTime();
        LearningRateCurve curve;
        try (Progress progress = new Progress("finding lr", finder.steps(), out)) {
            curve = finder.run(train, (step, steps, lr, loss, smoothed) ->
                    progress.step(1, String.format(Locale.ROOT, "lr %.2e smoothed loss %.4f", lr, smoothed)));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        curve.writeCsv(dir.resolve(LearningRateCurve.CSV));
        curve.writePlot(dir.resolve(LearningRateCurve.PNG));
        if (curve.stoppedEarly()) {
            out.printf("stopped after %d of %d steps: the smoothed loss diverged (above %s times its lowest, or not"
                    + " finite)%n", curve.steps(), finder.steps(), LearningRateFinder.EARLY_STOP_THRESHOLD);
        } else {
            out.printf("the smoothed loss did not diverge up to lr %s, the top of the range: a faster fall may lie"
                    + " above it%n", LearningRateFinder.DEFAULT_MAX_LR);
        }
        OptionalDouble suggestion = curve.suggestion();
        if (suggestion.isPresent()) {
            String lr = threeDigits(suggestion.getAsDouble());
            out.printf("suggested learning rate: %s (where the smoothed loss falls fastest)%n", lr);
            out.printf("to train with it, run the same command without --find-lr and with --lr %s%n", lr);
        } else {
            int needed = LearningRateCurve.SKIP_BEGIN + LearningRateCurve.SKIP_END + 2;
            out.printf("no suggestion: the steepest fall is looked for after the first %d steps and before the last %d,"
                    + " and %d steps leave fewer than 2 points; %s (see %s)%n", LearningRateCurve.SKIP_BEGIN,
                    LearningRateCurve.SKIP_END, curve.steps(), curve.stoppedEarly()
                            ? "the loss diverged at once: the model or data may be at fault"
                            : "give --find-lr-steps " + needed + " or more", LearningRateCurve.PNG);
        }
        out.printf("outputs: %s (%s, %s)%n", dir, LearningRateCurve.PNG, LearningRateCurve.CSV);
        summary.put("steps", curve.steps());
        summary.put("stopped_early", curve.stoppedEarly());
        summary.put("suggested_lr", suggestion.isPresent() ? suggestion.getAsDouble() : null);
        summary.put("seconds", TrainCommand.round(seconds, 1));
        summary.put("backend", Engine.get().backend().name());
        out.println(Json.line(summary));
    }

    /** {@code lr} to three significant digits, as a user would type it: 0.00158, 3.16E-7. */
    static String threeDigits(double lr) {
        return new BigDecimal(lr).round(new MathContext(3)).stripTrailingZeros().toString();
    }
}
