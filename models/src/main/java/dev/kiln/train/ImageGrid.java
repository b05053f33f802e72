package dev.kiln.train;

import dev.kiln.engine.Tensor;
import dev.kiln.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws grey-scale images as PNG grids, the way {@link FilterPlot} draws kernels: each pixel value in [0, 1]
 * (clamped) becomes a {@value #PIXEL} x {@value #PIXEL} block from black (0) to white (1), MNIST's white ink on
 * black. {@link #pairs} puts each input beside its reconstruction; {@link #grid} lays out samples, {@link #captioned}
 * with a caption each and a label per row; {@link #withHeatMaps} puts each image beside itself under a heat map.
 */
public final class ImageGrid {
    /** Screen pixels per image pixel. */
    public static final int PIXEL = 3;
    private static final int GAP = 4;
    private static final int PAIR_GAP = 16;
    private static final int MARGIN = 12;
    private static final int TOP = 40;
    private static final int CAPTION = 16;
    private static final int ROW_LABEL = 64;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ImageGrid() {
    }

    /**
     * Writes {@code images} [n, height * width] (or [n, 1, height, width]) in rows of {@code columns}, atomically.
     */
    public static void grid(Path png, Tensor images, int height, int width, int columns, String title) throws IOException {
        double[] v = pixels("grid", images, height, width);
        int n = images.dim(0);
        checkColumns(columns);
        int rows = (n + columns - 1) / columns;
        int tileW = width * PIXEL;
        int tileH = height * PIXEL;
        int imageW = Math.max(2 * MARGIN + columns * tileW + (columns - 1) * GAP, 320);
        int imageH = TOP + MARGIN + rows * tileH + (rows - 1) * GAP;
        BufferedImage img = canvas(imageW, imageH);
        Graphics2D g = img.createGraphics();
        try {
            for (int i = 0; i < n; i++) {
                tile(g, v, i, height, width, MARGIN + (i % columns) * (tileW + GAP), TOP + (i / columns) * (tileH + GAP));
            }
            title(g, title, imageW);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, o -> ImageIO.write(img, "png", o));
    }

    /**
     * Writes {@code images} [n, height * width] (or [n, 1, height, width]) in rows of {@code columns}, each under its
     * caption (a null caption leaves its cell empty), each row headed on its left by its entry of {@code rowLabels}
     * (null for none), atomically: matplotlib's grid of subplots with titles and y labels, as PyTorch's FGSM tutorial
     * draws its adversarial examples.
     *
     * @throws IllegalArgumentException when the captions are not one per image or the row labels not one per row
     */
    public static void captioned(Path png, Tensor images, List<String> captions, List<String> rowLabels, int height,
                                 int width, int columns, String title) throws IOException {
        double[] v = pixels("captioned", images, height, width);
        int n = images.dim(0);
        checkColumns(columns);
        int rows = (n + columns - 1) / columns;
        if (captions.size() != n || (rowLabels != null && rowLabels.size() != rows)) {
            throw new IllegalArgumentException("ImageGrid.captioned: " + n + " images " + images.shape() + " in " + rows
                    + " rows of " + columns + " need " + n + " captions and " + rows + " row labels or none, got "
                    + captions.size() + " and " + (rowLabels == null ? "none" : rowLabels.size()));
        }
        int tileW = width * PIXEL;
        int tileH = height * PIXEL;
        int rowH = CAPTION + tileH + GAP;
        int left = rowLabels == null ? MARGIN : MARGIN + ROW_LABEL;
        int imageW = Math.max(left + MARGIN + columns * tileW + (columns - 1) * GAP, 320);
        int imageH = TOP + MARGIN + rows * rowH - GAP;
        BufferedImage img = canvas(imageW, imageH);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int r = 0; rowLabels != null && r < rows; r++) {
                ConfusionMatrix.centre(g, rowLabels.get(r), MARGIN + ROW_LABEL / 2, TOP + r * rowH + CAPTION + tileH / 2);
            }
            for (int i = 0; i < n; i++) {
                if (captions.get(i) == null) {
                    continue;
                }
                int x0 = left + (i % columns) * (tileW + GAP);
                int y0 = TOP + (i / columns) * rowH;
                g.setColor(Color.BLACK);
                ConfusionMatrix.centre(g, captions.get(i), x0 + tileW / 2, y0 + CAPTION / 2);
                tile(g, v, i, height, width, x0, y0 + CAPTION);
            }
            title(g, title, imageW);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, o -> ImageIO.write(img, "png", o));
    }

    /**
     * Writes each of {@code inputs} [n, height * width] beside the same row of {@code reconstructions}, in rows
     * of {@code pairsPerRow} pairs (input left, reconstruction right), atomically.
     */
    public static void pairs(Path png, Tensor inputs, Tensor reconstructions, int height, int width, int pairsPerRow,
                             String title) throws IOException {
        double[] in = pixels("pairs", inputs, height, width);
        double[] out = pixels("pairs", reconstructions, height, width);
        int n = inputs.dim(0);
        if (reconstructions.dim(0) != n) {
            throw new IllegalArgumentException("ImageGrid.pairs: " + n + " inputs " + inputs.shape() + " but "
                    + reconstructions.dim(0) + " reconstructions " + reconstructions.shape());
        }
        checkColumns(pairsPerRow);
        int rows = (n + pairsPerRow - 1) / pairsPerRow;
        int tileW = width * PIXEL;
        int tileH = height * PIXEL;
        int pairW = 2 * tileW + GAP;
        int imageW = Math.max(2 * MARGIN + pairsPerRow * pairW + (pairsPerRow - 1) * PAIR_GAP, 320);
        int imageH = TOP + MARGIN + rows * tileH + (rows - 1) * GAP;
        BufferedImage img = canvas(imageW, imageH);
        Graphics2D g = img.createGraphics();
        try {
            for (int i = 0; i < n; i++) {
                int x0 = MARGIN + (i % pairsPerRow) * (pairW + PAIR_GAP);
                int y0 = TOP + (i / pairsPerRow) * (tileH + GAP);
                tile(g, in, i, height, width, x0, y0);
                tile(g, out, i, height, width, x0 + tileW + GAP, y0);
            }
            title(g, title, imageW);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, o -> ImageIO.write(img, "png", o));
    }

    /**
     * Writes each grey image of {@code images} [n, height * width] beside itself under its heat map {@code maps[i]}
     * ([height * width], values in [0, 1]: blue through green and yellow to red, half transparent), captioned
     * {@code captions[i]}, in rows of {@code pairsPerRow} pairs, atomically: Grad-CAM's picture ({@link GradCam}).
     */
    public static void withHeatMaps(Path png, Tensor images, double[][] maps, List<String> captions, int height,
                                    int width, int pairsPerRow, String title) throws IOException {
        double[] in = pixels("withHeatMaps", images, height, width);
        int n = images.dim(0);
        if (maps.length != n || captions.size() != n) {
            throw new IllegalArgumentException("ImageGrid.withHeatMaps: " + n + " images " + images.shape() + " but "
                    + maps.length + " maps and " + captions.size() + " captions");
        }
        checkColumns(pairsPerRow);
        int rows = (n + pairsPerRow - 1) / pairsPerRow;
        int tileW = width * PIXEL;
        int tileH = height * PIXEL;
        int pairW = 2 * tileW + GAP;
        int rowH = CAPTION + tileH + GAP;
        int imageW = Math.max(2 * MARGIN + pairsPerRow * pairW + (pairsPerRow - 1) * PAIR_GAP, 320);
        int imageH = TOP + MARGIN + rows * rowH - GAP;
        BufferedImage img = canvas(imageW, imageH);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (int i = 0; i < n; i++) {
                int x0 = MARGIN + (i % pairsPerRow) * (pairW + PAIR_GAP);
                int y0 = TOP + (i / pairsPerRow) * rowH;
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                ConfusionMatrix.centre(g, captions.get(i), x0 + pairW / 2, y0 + CAPTION - 3);
                tile(g, in, i, height, width, x0, y0 + CAPTION);
                heatTile(g, in, maps[i], i, height, width, x0 + tileW + GAP, y0 + CAPTION);
            }
            title(g, title, imageW);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, o -> ImageIO.write(img, "png", o));
    }

    private static void heatTile(Graphics2D g, double[] v, double[] heat, int index, int height, int width, int x0,
                                 int y0) {
        if (heat.length != height * width) {
            throw new IllegalArgumentException("ImageGrid.withHeatMaps: map " + index + " has " + heat.length
                    + " values for a " + height + "x" + width + " image");
        }
        int base = index * height * width;
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                double grey = clamp(v[base + r * width + c]);
                double h = clamp(heat[r * width + c]);
                // Half the image, half the colour map ("jet": blue 0, cyan, green 0.5, yellow, red 1).
                int red = (int) Math.round(255 * (grey + clamp(1.5 - Math.abs(4 * h - 3))) / 2);
                int green = (int) Math.round(255 * (grey + clamp(1.5 - Math.abs(4 * h - 2))) / 2);
                int blue = (int) Math.round(255 * (grey + clamp(1.5 - Math.abs(4 * h - 1))) / 2);
                g.setColor(new Color(red, green, blue));
                g.fillRect(x0 + c * PIXEL, y0 + r * PIXEL, PIXEL, PIXEL);
            }
        }
    }

    private static double clamp(double p) {
        return Double.isNaN(p) ? 0 : Math.max(0, Math.min(1, p));
    }

    private static double[] pixels(String op, Tensor images, int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("ImageGrid." + op + ": height and width must be positive, got " + height
                    + "x" + width);
        }
        if (images.rank() < 2 || images.dim(0) == 0 || images.size() != (long) images.dim(0) * height * width) {
            throw new IllegalArgumentException("ImageGrid." + op + ": images " + images.shape() + " must be [n, "
                    + height * width + "] or [n, 1, " + height + ", " + width + "] with n > 0");
        }
        return images.toDoubleArray();
    }

    private static void checkColumns(int columns) {
        if (columns <= 0) {
            throw new IllegalArgumentException("ImageGrid: columns must be positive, got " + columns);
        }
    }

    private static BufferedImage canvas(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(0xDD, 0xE4, 0xEE));
        g.fillRect(0, 0, width, height);
        g.dispose();
        return img;
    }

    private static void tile(Graphics2D g, double[] v, int index, int height, int width, int x0, int y0) {
        int base = index * height * width;
        for (int r = 0; r < height; r++) {
            for (int c = 0; c < width; c++) {
                double p = v[base + r * width + c];
                int grey = (int) Math.round(255 * clamp(p));
                g.setColor(new Color(grey, grey, grey));
                g.fillRect(x0 + c * PIXEL, y0 + r * PIXEL, PIXEL, PIXEL);
            }
        }
    }

    private static void title(Graphics2D g, String title, int width) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        ConfusionMatrix.centre(g, title, width / 2, 20);
    }
}
