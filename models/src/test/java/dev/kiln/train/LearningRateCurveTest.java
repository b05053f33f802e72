package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LearningRateCurve}'s suggestion on hand-made curves, against NumPy, and its CSV and plot. */
class LearningRateCurveTest {
    /**
     * 25 smoothed losses at rates 10^(i/4 - 6), 1e-6 to 1: flat with noise, a fall steepest at step 17 (against
     * log10 of the rate, in NumPy), a rise.
     */
    private static final double[] LOSSES = {2.31, 2.30, 2.32, 2.29, 2.31, 2.30, 2.31, 2.30, 2.32, 2.30, 2.31, 2.29, 2.30,
        2.27, 2.22, 2.12, 1.95, 1.70, 1.45, 1.30, 1.22, 1.25, 1.60, 2.50, 4.90};

    private static double[] rates(int n) {
        return IntStream.range(0, n).mapToDouble(i -> Math.pow(10, i / 4.0 - 6)).toArray();
    }

    private static LearningRateCurve curve(double[] smoothed) {
        return new LearningRateCurve(rates(smoothed.length), smoothed.clone(), smoothed, false);
    }

    @Test
    void theSuggestionIsTheRateOfTheSteepestFallAgainstLog10OfTheRate() {
        // NumPy: np.argmin(np.gradient(y[10:-1], np.log10(lr[10:-1]))) + 10 = 17. Against the rates themselves, as
        // Lightning 2.5.3 takes it, the noise at the smallest rates wins: step 10.
        LearningRateCurve curve = curve(LOSSES);
        assertEquals(OptionalInt.of(17), curve.suggestionIndex(10, 1));
        assertEquals(Math.pow(10, 17 / 4.0 - 6), curve.suggestion().orElseThrow(), 0);
    }

    @Test
    void nonFiniteSmoothedLossesAreLeftOutAndTheSuggestionStillNamesItsStep() {
        double[] withGap = LOSSES.clone();
        withGap[17] = Double.NaN;
        // NumPy, on the finite points of the window with their own rates: step 16.
        assertEquals(OptionalInt.of(16), curve(withGap).suggestionIndex(10, 1));
    }

    @Test
    void twelveStepsGiveNoSuggestionAndThirteenGiveOne() {
        assertTrue(curve(Arrays.copyOf(LOSSES, 12)).suggestion().isEmpty(), "10 skipped, 1 skipped: one point left");
        assertEquals(OptionalInt.of(10), curve(Arrays.copyOf(LOSSES, 13)).suggestionIndex(10, 1));
    }

    @Test
    void aWindowOfNonFiniteLossesGivesNoSuggestion() {
        double[] diverged = LOSSES.clone();
        Arrays.fill(diverged, 11, 25, Double.POSITIVE_INFINITY);
        assertTrue(curve(diverged).suggestion().isEmpty());
    }

    @Test
    void theGradientIsNumPysForUnevenlySpacedPoints() {
        // np.gradient([1, 4, 9, 16, 30], [0, 1, 3, 4, 7])
        assertArrayEquals(new double[] {3.0, 2.8333333333333335, 5.499999999999999, 6.416666666666666, 4.666666666666667},
                LearningRateCurve.gradient(new double[] {1, 4, 9, 16, 30}, new double[] {0, 1, 3, 4, 7}), 1e-12);
    }

    @Test
    void seriesOfDifferentLengthsAreRefused() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> new LearningRateCurve(new double[3], new double[3], new double[2], false)).getMessage();
        assertEquals("LearningRateCurve: 3 learning rates, 3 losses and 2 smoothed losses; expected one of each per step",
                message);
    }

    @Test
    void negativeSkipsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> curve(LOSSES).suggestionIndex(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> curve(LOSSES).suggestionIndex(10, -1));
    }

    @Test
    void theCsvHasAHeaderAndARowPerStep(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve(LearningRateCurve.CSV);
        new LearningRateCurve(new double[] {1e-3, 1e-2}, new double[] {2.5, 2.0}, new double[] {2.5, 2.25}, false)
                .writeCsv(csv);
        assertEquals(List.of("step,lr,loss,smoothed_loss", "1,0.001,2.5,2.5", "2,0.01,2.0,2.25"), Files.readAllLines(csv));
    }

    /** Whether {@code image} has a pure red pixel: the marker of the suggestion (and its legend entry). */
    private static boolean hasRed(BufferedImage image) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == 0xFF0000) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void thePlotIsAPanelSizedPngWithTheSuggestionMarkedInRed(@TempDir Path dir) throws IOException {
        Path png = dir.resolve(LearningRateCurve.PNG);
        curve(LOSSES).writePlot(png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(TrainingPlot.PANEL_WIDTH, image.getWidth());
        assertEquals(TrainingPlot.PANEL_HEIGHT, image.getHeight());
        assertTrue(hasRed(image));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(png), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void withoutASuggestionThePlotMarksNothing(@TempDir Path dir) throws IOException {
        Path png = dir.resolve(LearningRateCurve.PNG);
        curve(Arrays.copyOf(LOSSES, 12)).writePlot(png);
        assertFalse(hasRed(ImageIO.read(png.toFile())));
    }

    @Test
    void aCurveWithoutAFiniteSmoothedLossIsNotPlotted(@TempDir Path dir) {
        LearningRateCurve diverged = new LearningRateCurve(new double[] {1e-8}, new double[] {Double.NaN},
                new double[] {Double.NaN}, true);
        assertEquals("LearningRatePlot: no finite smoothed loss among the curve's 1 steps to plot",
                assertThrows(IllegalArgumentException.class, () -> diverged.writePlot(dir.resolve("x.png"))).getMessage());
    }
}
