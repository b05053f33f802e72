package dev.kiln.train;

import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import dev.kiln.nn.Module;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;

/**
 * Counts of true class (rows) against predicted class (columns, the highest score) for a classifier, and
 * a heat-map PNG of them.
 */
public final class ConfusionMatrix {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final long[][] counts;

    /** An empty matrix for {@code classes} classes. */
    public ConfusionMatrix(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("ConfusionMatrix: classes must be at least 1, got " + classes);
        }
        counts = new long[classes][classes];
    }

    /** The confusion of {@code model} (run in evaluation mode, without gradients) on every batch of {@code data}. */
    public static ConfusionMatrix of(Module model, DataLoader data, int classes) {
        ConfusionMatrix m = new ConfusionMatrix(classes);
        boolean wasTraining = model.isTraining();
        model.eval();
        try (Autograd.Guard g = Autograd.noGrad()) {
            for (HostBatch batch : data.epoch(0)) {
                try (Scope s = Scope.open()) {
                    Tensor features = batch.features();
                    Tensor labels = batch.labels();
                    batch.recycle();
                    m.add(model.forward(features), labels);
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return m;
    }

    /** Adds a batch: scores [batch, classes], labels [batch]. */
    public ConfusionMatrix add(Tensor scores, Tensor labels) {
        if (scores.rank() != 2 || scores.dim(1) != classes() || labels.rank() != 1 || labels.dim(0) != scores.dim(0)) {
            throw new IllegalArgumentException("ConfusionMatrix: scores " + scores.shape() + " and labels " + labels.shape()
                    + " must be [batch, " + classes() + "] and [batch]");
        }
        return add(labels.toLongArray(), scores.argmax(1, false).toLongArray());
    }

    /** Adds one count per element: {@code truth[i]} against {@code predicted[i]}; nothing when any is out of range. */
    public ConfusionMatrix add(long[] truth, long[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("ConfusionMatrix: " + truth.length + " labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes() || predicted[i] < 0 || predicted[i] >= classes()) {
                throw new IllegalArgumentException("ConfusionMatrix: class out of range [0, " + classes() + ") at " + i
                        + ": label " + truth[i] + ", prediction " + predicted[i]);
            }
        }
        // Checked in full first, so that a bad batch adds nothing.
        for (int i = 0; i < truth.length; i++) {
            counts[(int) truth[i]][(int) predicted[i]]++;
        }
        return this;
    }

    public int classes() {
        return counts.length;
    }

    /** Samples of true class {@code truth} predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** A copy of the counts, [truth][predicted]. */
    public long[][] counts() {
        long[][] c = new long[counts.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].clone();
        }
        return c;
    }

    public long total() {
        long t = 0;
        for (long[] row : counts) {
            for (long v : row) {
                t += v;
            }
        }
        return t;
    }

    /** The diagonal's share of all counts (NaN when empty). */
    public double accuracy() {
        long hits = 0;
        for (int i = 0; i < counts.length; i++) {
            hits += counts[i][i];
        }
        long t = total();
        return t == 0 ? Double.NaN : hits / (double) t;
    }

    /** Samples whose true class is {@code c}. */
    public long support(int c) {
        long n = 0;
        for (long v : counts[c]) {
            n += v;
        }
        return n;
    }

    /** Samples predicted as {@code c}. */
    public long predictedAs(int c) {
        long n = 0;
        for (long[] row : counts) {
            n += row[c];
        }
        return n;
    }

    /** Of the samples predicted as {@code c}, the share that are {@code c}; 0 when none is (as scikit-learn's default). */
    public double precision(int c) {
        return share(counts[c][c], predictedAs(c));
    }

    /** Of the samples of class {@code c}, the share predicted as {@code c}; 0 when there are none. */
    public double recall(int c) {
        return share(counts[c][c], support(c));
    }

    /** The harmonic mean of {@link #precision} and {@link #recall} of {@code c}; 0 when both are 0. */
    public double f1(int c) {
        return share(2 * counts[c][c], support(c) + predictedAs(c));
    }

    /**
     * The unweighted mean of {@link #f1} over the classes that occur, as truth or as prediction (scikit-learn's
     * {@code f1_score(average='macro')}, whose labels are those of either); NaN when none does.
     */
    public double macroF1() {
        return macroMean(this::f1);
    }

    /** Whether class {@code c} occurs in the counts, as truth or as prediction. */
    private boolean occurs(int c) {
        return support(c) > 0 || predictedAs(c) > 0;
    }

    /** The mean of {@code measure} over the classes that occur. */
    private double macroMean(IntToDoubleFunction measure) {
        double sum = 0;
        int occurring = 0;
        for (int c = 0; c < classes(); c++) {
            if (occurs(c)) {
                sum += measure.applyAsDouble(c);
                occurring++;
            }
        }
        return occurring == 0 ? Double.NaN : sum / occurring;
    }

    private static double share(long part, long whole) {
        return whole == 0 ? 0 : part / (double) whole;
    }

    /**
     * A table of precision, recall, F1 and support per class, then their macro means (over the classes that occur)
     * and the accuracy, as scikit-learn's {@code classification_report} prints it; {@code names} label the classes
     * (null: their numbers).
     */
    public String report(List<String> names) {
        if (names != null && names.size() != classes()) {
            throw new IllegalArgumentException("ConfusionMatrix.report: " + names.size() + " class names for "
                    + classes() + " classes");
        }
        int width = 12;
        for (int c = 0; c < classes() && names != null; c++) {
            width = Math.max(width, names.get(c).length());
        }
        String row = "%" + width + "s %9s %9s %9s %9s%n";
        String values = "%" + width + "s %9.4f %9.4f %9.4f %9d%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, row, "", "precision", "recall", "f1", "support"));
        for (int c = 0; c < classes(); c++) {
            out.append(String.format(Locale.ROOT, values, names == null ? Integer.toString(c) : names.get(c),
                    precision(c), recall(c), f1(c), support(c)));
        }
        out.append(String.format(Locale.ROOT, values, "macro avg", macroMean(this::precision),
                macroMean(this::recall), macroF1(), total()));
        out.append(String.format(Locale.ROOT, "%" + width + "s %29.4f %9d%n", "accuracy", accuracy(), total()));
        return out.toString();
    }

    /** {@link #writePng(Path, String, List)} with the classes labelled by their numbers. */
    public void writePng(Path png, String title) throws IOException {
        writePng(png, title, null);
    }

    /**
     * Writes the matrix as a heat map (white to dark blue by count, counts in the cells, true class down the left,
     * predicted class along the bottom, each labelled by {@code names}, or by number when null; names wider than a
     * cell slant along the bottom) to {@code png}, atomically.
     */
    public void writePng(Path png, String title, List<String> names) throws IOException {
        int n = classes();
        if (names != null && names.size() != n) {
            throw new IllegalArgumentException("ConfusionMatrix.writePng: " + names.size() + " class names for " + n
                    + " classes");
        }
        List<String> labels = names != null ? names : IntStream.range(0, n).mapToObj(Integer::toString).toList();
        Font labelFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        int labelWidth = widest(labels, labelFont);
        int cell = 56;
        boolean slanted = labelWidth > cell - 8;
        int left = Math.max(90, 56 + labelWidth);
        int top = 60;
        int below = slanted ? 56 + (int) Math.ceil(labelWidth * Math.sqrt(0.5)) : 70;
        int gridSize = n * cell;
        int width = left + gridSize + 30;
        int height = top + gridSize + below;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            drawCells(g, left, top, cell);
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1));
            g.drawRect(left, top, gridSize, gridSize);
            g.setColor(Color.BLACK);
            g.setFont(labelFont);
            FontMetrics metrics = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                String label = labels.get(i);
                int centre = i * cell + cell / 2;
                g.drawString(label, left - 10 - metrics.stringWidth(label), top + centre + metrics.getAscent() / 2 - 2);
                if (slanted) {
                    AffineTransform saved = g.getTransform();
                    g.translate(left + centre, top + gridSize + 10);
                    g.rotate(-Math.PI / 4);
                    g.drawString(label, -metrics.stringWidth(label), metrics.getAscent() / 2);
                    g.setTransform(saved);
                } else {
                    centre(g, label, left + centre, top + gridSize + 14);
                }
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            centre(g, "predicted class", left + gridSize / 2, height - 22);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2, 20, top + gridSize / 2.0);
            centre(g, "true class", 20, top + gridSize / 2);
            g.setTransform(saved);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            centre(g, title, width / 2, 28);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
    }

    /** The cells, each shaded by its count (square root, so that a few errors show beside a large diagonal). */
    private void drawCells(Graphics2D g, int left, int top, int cell) {
        long max = 1;
        for (long[] row : counts) {
            for (long v : row) {
                max = Math.max(max, v);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int t = 0; t < classes(); t++) {
            for (int p = 0; p < classes(); p++) {
                long v = counts[t][p];
                double s = Math.sqrt(v / (double) max);
                int x = left + p * cell;
                int y = top + t * cell;
                g.setColor(new Color((int) (255 - s * (255 - 8)), (int) (255 - s * (255 - 48)),
                        (int) (255 - s * (255 - 107))));
                g.fillRect(x, y, cell, cell);
                g.setColor(s > 0.55 ? Color.WHITE : Color.BLACK);
                centre(g, Long.toString(v), x + cell / 2, y + cell / 2);
            }
        }
    }

    /** The width in pixels of the widest of {@code labels} in {@code font}. */
    private static int widest(List<String> labels, Font font) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            FontMetrics metrics = g.getFontMetrics(font);
            return labels.stream().mapToInt(metrics::stringWidth).max().orElse(0);
        } finally {
            g.dispose();
        }
    }

    static void centre(Graphics2D g, String text, int cx, int cy) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(text, cx - fm.stringWidth(text) / 2, cy + (fm.getAscent() - fm.getDescent()) / 2);
    }
}
