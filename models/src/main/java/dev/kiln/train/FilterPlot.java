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
import javax.imageio.ImageIO;

/**
 * Draws convolution kernels [outChannels, inChannels, kernelH, kernelW] as a grid of grey tiles: each
 * kernel scaled on its own from its minimum (black) to its maximum (white), every weight drawn as a
 * {@value #PIXEL} x {@value #PIXEL} pixel block. With one input channel the tiles form a near-square grid;
 * otherwise each row is one output channel and each column one input channel.
 */
public final class FilterPlot {
    /** Screen pixels per kernel weight. */
    public static final int PIXEL = 16;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private FilterPlot() {
    }

    /** Writes the grid of {@code weight}'s kernels to {@code png}, atomically. */
    public static void write(Path png, Tensor weight, String title) throws IOException {
        if (weight.rank() != 4) {
            throw new IllegalArgumentException("FilterPlot: weight " + weight.shape() + " must be [out, in, kernelH, kernelW]");
        }
        int out = weight.dim(0);
        int in = weight.dim(1);
        int kh = weight.dim(2);
        int kw = weight.dim(3);
        double[] w = weight.toDoubleArray();
        int tiles = out * in;
        int cols = in == 1 ? (int) Math.ceil(Math.sqrt(out)) : in;
        int rows = (tiles + cols - 1) / cols;
        int gap = 6;
        int margin = 12;
        int top = 40;
        int tileW = kw * PIXEL;
        int tileH = kh * PIXEL;
        int width = Math.max(2 * margin + cols * tileW + (cols - 1) * gap, 320);
        int height = top + margin + rows * tileH + (rows - 1) * gap;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(0xDD, 0xE4, 0xEE));
            g.fillRect(0, 0, width, height);
            for (int t = 0; t < tiles; t++) {
                int base = t * kh * kw;
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < kh * kw; i++) {
                    lo = Math.min(lo, w[base + i]);
                    hi = Math.max(hi, w[base + i]);
                }
                double range = hi > lo ? hi - lo : 1;
                int x0 = margin + (t % cols) * (tileW + gap);
                int y0 = top + (t / cols) * (tileH + gap);
                for (int r = 0; r < kh; r++) {
                    for (int c = 0; c < kw; c++) {
                        int grey = (int) Math.round(255 * (w[base + r * kw + c] - lo) / range);
                        g.setColor(new Color(grey, grey, grey));
                        g.fillRect(x0 + c * PIXEL, y0 + r * PIXEL, PIXEL, PIXEL);
                    }
                }
            }
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            ConfusionMatrix.centre(g, title, width / 2, 20);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, o -> ImageIO.write(img, "png", o));
    }
}
