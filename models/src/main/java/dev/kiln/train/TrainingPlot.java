package dev.kiln.train;

import dev.kiln.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws a run's curves as one PNG with two charts side by side, each {@value #PANEL_WIDTH} x
 * {@value #PANEL_HEIGHT} pixels: loss per epoch on the left, accuracy per epoch on the right (the image is
 * {@code 2 * PANEL_WIDTH} x {@code PANEL_HEIGHT}; only the loss chart, {@code PANEL_WIDTH} wide, when there
 * are no accuracy series). Drawn with XChart, written with its {@link BitmapEncoder} to a temporary file
 * that is then renamed over the target, so a viewer never sees half an image.
 *
 * <p>NaN values (say, validation figures of epochs without validation) are left out of their line; a series
 * that is NaN throughout is not drawn.
 */
public final class TrainingPlot {
    public static final int PANEL_WIDTH = 640;
    public static final int PANEL_HEIGHT = 480;
    /** The y axes' labels: up to four decimals, a leading zero. */
    static final String Y_LABELS = "0.0###";

    static {
        // Rendering to an image needs no display; without this an unreachable $DISPLAY can break AWT.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private TrainingPlot() {
    }

    /**
     * Writes the plot.
     *
     * @param png            target file (parent directories are created)
     * @param epochs         [n] x values, e.g. 1..n
     * @param lossSeries     series name -> [n] loss per epoch, e.g. "train", "validation"
     * @param accuracySeries series name -> [n] accuracy per epoch; may be empty
     * @throws IllegalArgumentException when there are no epochs or a series' length differs from theirs
     */
    public static void write(Path png, List<Integer> epochs, Map<String, List<Double>> lossSeries,
                             Map<String, List<Double>> accuracySeries) throws IOException {
        Objects.requireNonNull(lossSeries, "lossSeries");
        Map<String, List<Double>> accuracy = accuracySeries == null ? Map.of() : accuracySeries;
        List<Panel> panels = new ArrayList<>();
        panels.add(new Panel("Loss", "loss", lossSeries));
        if (!accuracy.isEmpty()) {
            panels.add(new Panel("Accuracy", "accuracy", accuracy));
        }
        write(png, epochs, panels);
    }

    /** One chart of a plot: its title, y-axis title and series (name -> one value per epoch). */
    public record Panel(String title, String yTitle, Map<String, List<Double>> series) {
    }

    /** Writes panels side by side, each with epochs on the x axis. */
    public static void write(Path png, List<Integer> epochs, List<Panel> panels) throws IOException {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(epochs, "epochs");
        if (epochs.isEmpty()) {
            throw new IllegalArgumentException("TrainingPlot: no epochs to plot");
        }
        double[] x = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Objects.requireNonNull(epochs.get(i), "epoch " + i);
        }
        List<XYChart> charts = new ArrayList<>();
        for (Panel p : panels) {
            boolean falling = p.title().toLowerCase(java.util.Locale.ROOT).contains("loss");
            charts.add(chart(p.title(), p.yTitle(), x, p.series(),
                    falling ? Styler.LegendPosition.InsideNE : Styler.LegendPosition.InsideSE));
        }
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(charts, 1, charts.size(), out, BitmapEncoder.BitmapFormat.PNG));
    }

    static XYChart chart(String title, String yTitle, double[] x, Map<String, List<Double>> series,
                         Styler.LegendPosition legend) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(legend);
        chart.getStyler().setMarkerSize(5);
        // XChart's own labels print every digit of a double where an axis holds one or two values (one epoch).
        chart.getStyler().setYAxisDecimalPattern(Y_LABELS);
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            List<Double> values = Objects.requireNonNull(e.getValue(), "series " + e.getKey());
            if (values.size() != x.length) {
                throw new IllegalArgumentException("TrainingPlot: series '" + e.getKey() + "' has " + values.size()
                        + " values for " + x.length + " epochs");
            }
            double[] y = new double[x.length];
            boolean any = false;
            for (int i = 0; i < y.length; i++) {
                Double v = values.get(i);
                y[i] = v == null || v.isInfinite() ? Double.NaN : v;
                any |= !Double.isNaN(y[i]);
            }
            if (any) {
                chart.addSeries(e.getKey(), x, y);
            }
        }
        return chart;
    }
}
