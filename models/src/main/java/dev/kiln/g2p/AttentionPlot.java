package dev.kiln.g2p;

import dev.kiln.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A heat map of attention weights: one column per source letter, one row per output symbol (the phonemes,
 * then EOS), each cell shaded from white (0) to dark blue (1) with its weight written in it, so that the
 * letter-to-phoneme alignment shows as a dark band.
 */
public final class AttentionPlot {
    private static final int CELL = 44;

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private AttentionPlot() {
    }

    /**
     * Writes the map to {@code png} atomically.
     *
     * @param weights [outputs.size()][letters.length()] attention weights, rows summing to 1
     */
    public static void write(Path png, String title, String letters, List<String> outputs, float[][] weights) throws IOException {
        if (weights.length != outputs.size()) {
            throw new IllegalArgumentException("AttentionPlot: " + weights.length + " rows of weights for " + outputs.size() + " outputs");
        }
        int columns = letters.length();
        int left = 70;
        int top = 70;
        int width = left + columns * CELL + 30;
        int height = top + outputs.size() * CELL + 30;
        BufferedImage img = new BufferedImage(Math.max(width, 360), height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), height);
            Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
            for (int r = 0; r < weights.length; r++) {
                if (weights[r].length != columns) {
                    throw new IllegalArgumentException("AttentionPlot: row " + r + " has " + weights[r].length
                            + " weights for " + columns + " letters");
                }
                for (int c = 0; c < columns; c++) {
                    double w = Math.max(0, Math.min(1, weights[r][c]));
                    g.setColor(new Color((int) (255 - w * (255 - 8)), (int) (255 - w * (255 - 48)), (int) (255 - w * (255 - 107))));
                    int x = left + c * CELL;
                    int y = top + r * CELL;
                    g.fillRect(x, y, CELL, CELL);
                    g.setColor(w > 0.55 ? Color.WHITE : Color.GRAY);
                    g.setFont(small);
                    centre(g, String.format(java.util.Locale.ROOT, "%.2f", w), x + CELL / 2, y + CELL / 2);
                }
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.MONOSPACED, Font.BOLD, 16));
            for (int c = 0; c < columns; c++) {
                centre(g, String.valueOf(letters.charAt(c)), left + c * CELL + CELL / 2, top - 14);
            }
            g.setFont(new Font(Font.MONOSPACED, Font.BOLD, 13));
            for (int r = 0; r < outputs.size(); r++) {
                centre(g, outputs.get(r), left / 2, top + r * CELL + CELL / 2);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            centre(g, title, img.getWidth() / 2, 24);
        } finally {
            g.dispose();
        }
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
    }

    private static void centre(Graphics2D g, String text, int x, int y) {
        FontMetrics m = g.getFontMetrics();
        g.drawString(text, x - m.stringWidth(text) / 2, y + (m.getAscent() - m.getDescent()) / 2);
    }
}
