package dev.kiln.train;

import dev.kiln.io.AtomicFiles;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A {@link LearningRateCurve} as one {@value TrainingPlot#PANEL_WIDTH} x {@value TrainingPlot#PANEL_HEIGHT} PNG: the
 * smoothed loss against the learning rate on a logarithmic axis, the suggested rate marked with a red dot. Drawn with
 * XChart and written atomically, as {@link TrainingPlot} does; non-finite smoothed losses are left out.
 */
final class LearningRatePlot {
    static {
        // Rendering to an image needs no display; without this an unreachable $DISPLAY can break AWT.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private LearningRatePlot() {
    }

    static void write(Path png, LearningRateCurve curve) throws IOException {
        double[] rates = curve.learningRates();
        double[] smoothed = curve.smoothedLosses();
        int[] finite = IntStream.range(0, curve.steps()).filter(i -> Double.isFinite(smoothed[i])).toArray();
        if (finite.length == 0) {
            throw new IllegalArgumentException("LearningRatePlot: no finite smoothed loss among the curve's "
                    + curve.steps() + " steps to plot");
        }
        XYChart chart = new XYChartBuilder().width(TrainingPlot.PANEL_WIDTH).height(TrainingPlot.PANEL_HEIGHT)
                .title("Learning rate range test").xAxisTitle("learning rate (log scale)").yAxisTitle("smoothed loss")
                .build();
        chart.getStyler().setXAxisLogarithmic(true).setXAxisDecimalPattern("0.#E0")
                .setLegendPosition(Styler.LegendPosition.InsideNW);
        XYSeries loss = chart.addSeries("smoothed loss", IntStream.of(finite).mapToDouble(i -> rates[i]).toArray(),
                IntStream.of(finite).mapToDouble(i -> smoothed[i]).toArray());
        loss.setMarker(SeriesMarkers.NONE);
        OptionalInt suggested = curve.suggestionIndex(LearningRateCurve.SKIP_BEGIN, LearningRateCurve.SKIP_END);
        if (suggested.isPresent()) {
            int i = suggested.getAsInt();
            XYSeries dot = chart.addSeries(String.format(Locale.ROOT, "suggested lr %.3g", rates[i]),
                    new double[] {rates[i]}, new double[] {smoothed[i]});
            dot.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dot.setMarker(SeriesMarkers.CIRCLE);
            dot.setMarkerColor(Color.RED);
        }
        chart.getStyler().setMarkerSize(10);
        if (curve.stoppedEarly() && finite.length > 2 && finite[finite.length - 1] == curve.steps() - 1) {
            // The step that diverged is far above the rest: drawn to the top edge, it leaves their fall its height.
            chart.getStyler().setYAxisMax(IntStream.of(finite).limit(finite.length - 1).mapToDouble(i -> smoothed[i])
                    .max().getAsDouble());
        }
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
