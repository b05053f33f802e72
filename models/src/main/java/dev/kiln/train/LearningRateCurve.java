package dev.kiln.train;

import dev.kiln.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * What a {@link LearningRateFinder} run recorded, a value per optimizer step: the learning rate of the step, its
 * loss and the smoothed loss ({@link SmoothedLoss}); and whether the run stopped before its last step because the
 * smoothed loss diverged.
 *
 * @param learningRates  [steps] the rate of each step, rising
 * @param losses         [steps] each step's loss on its batch
 * @param smoothedLosses [steps] the smoothed losses
 * @param stoppedEarly   whether the smoothed loss diverged before the planned steps were done
 */
public record LearningRateCurve(double[] learningRates, double[] losses, double[] smoothedLosses,
                                boolean stoppedEarly) {
    /** Points left out at the start of the curve by {@link #suggestion()}: Lightning's {@code skip_begin}. */
    public static final int SKIP_BEGIN = 10;
    /** Points left out at the end of the curve by {@link #suggestion()}: Lightning's {@code skip_end}. */
    public static final int SKIP_END = 1;
    /** File name of the curve's CSV in a run directory. */
    public static final String CSV = "lr_find.csv";
    /** File name of the curve's plot in a run directory. */
    public static final String PNG = "lr_find.png";

    public LearningRateCurve {
        if (losses.length != learningRates.length || smoothedLosses.length != learningRates.length) {
            throw new IllegalArgumentException("LearningRateCurve: " + learningRates.length + " learning rates, "
                    + losses.length + " losses and " + smoothedLosses.length + " smoothed losses; expected one of each"
                    + " per step");
        }
        learningRates = learningRates.clone();
        losses = losses.clone();
        smoothedLosses = smoothedLosses.clone();
    }

    @Override
    public double[] learningRates() {
        return learningRates.clone();
    }

    @Override
    public double[] losses() {
        return losses.clone();
    }

    @Override
    public double[] smoothedLosses() {
        return smoothedLosses.clone();
    }

    /** The optimizer steps recorded. */
    public int steps() {
        return learningRates.length;
    }

    /**
     * Lightning's suggestion: the learning rate where the smoothed loss falls fastest (its most negative gradient
     * with respect to log10 of the learning rate), the first {@link #SKIP_BEGIN} and the last {@link #SKIP_END} points
     * left out. Empty when fewer than two finite points remain: at least {@code SKIP_BEGIN + SKIP_END + 2} = 13 steps.
     */
    public OptionalDouble suggestion() {
        OptionalInt index = suggestionIndex(SKIP_BEGIN, SKIP_END);
        return index.isPresent() ? OptionalDouble.of(learningRates[index.getAsInt()]) : OptionalDouble.empty();
    }

    /**
     * The step whose rate {@link #suggestion()} gives, leaving out {@code skipBegin} points at the start and
     * {@code skipEnd} at the end and non-finite smoothed losses, as Lightning's {@code suggestion(skip_begin,
     * skip_end)}: the gradient of the rest is NumPy's and PyTorch's {@code gradient} (second-order differences
     * inside, first-order at both ends), and of equally steep points the first wins. Empty when fewer than two points
     * remain.
     *
     * <p>The gradient is taken against log10 of the rates, as they are spaced: Lightning up to 2.5.2 took it per step
     * (the same for rates evenly spaced in log), 2.5.3 against the rates themselves, where noise at the tiniest rates
     * makes the steepest slopes (Lightning issue #21141, with the fix to log10 proposed in #21171): on MNIST its
     * suggestion for the zoo MLP with Adam is 3e-7, against 1e-3 here.
     */
    public OptionalInt suggestionIndex(int skipBegin, int skipEnd) {
        if (skipBegin < 0 || skipEnd < 0) {
            throw new IllegalArgumentException("LearningRateCurve.suggestionIndex: skipBegin and skipEnd must be >= 0,"
                    + " got " + skipBegin + " and " + skipEnd);
        }
        int[] kept = IntStream.range(skipBegin, Math.max(skipBegin, steps() - skipEnd))
                .filter(i -> Double.isFinite(smoothedLosses[i])).toArray();
        if (kept.length < 2) {
            return OptionalInt.empty();
        }
        double[] x = Arrays.stream(kept).mapToDouble(i -> Math.log10(learningRates[i])).toArray();
        double[] y = Arrays.stream(kept).mapToDouble(i -> smoothedLosses[i]).toArray();
        double[] slopes = gradient(y, x);
        int steepest = 0;
        for (int i = 1; i < slopes.length; i++) {
            if (slopes[i] < slopes[steepest]) {
                steepest = i;
            }
        }
        return OptionalInt.of(kept[steepest]);
    }

    /** dy/dx at every point of [n >= 2] samples, with NumPy's formulas for unevenly spaced x. */
    static double[] gradient(double[] y, double[] x) {
        int n = y.length;
        double[] g = new double[n];
        g[0] = (y[1] - y[0]) / (x[1] - x[0]);
        g[n - 1] = (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
        for (int i = 1; i < n - 1; i++) {
            double left = x[i] - x[i - 1];
            double right = x[i + 1] - x[i];
            double a = -right / (left * (left + right));
            double b = (right - left) / (left * right);
            double c = left / (right * (left + right));
            g[i] = a * y[i - 1] + b * y[i] + c * y[i + 1];
        }
        return g;
    }

    /** Writes {@code step,lr,loss,smoothed_loss}, a row per step (from 1), atomically. */
    public void writeCsv(Path file) throws IOException {
        StringBuilder text = new StringBuilder("step,lr,loss,smoothed_loss\n");
        for (int i = 0; i < steps(); i++) {
            text.append(i + 1).append(',').append(learningRates[i]).append(',').append(losses[i]).append(',')
                    .append(smoothedLosses[i]).append('\n');
        }
        AtomicFiles.writeString(file, text.toString());
    }

    /** Draws the smoothed loss against the learning rate, the suggestion marked ({@link LearningRatePlot}). */
    public void writePlot(Path png) throws IOException {
        LearningRatePlot.write(png, this);
    }
}
