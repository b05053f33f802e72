package dev.kiln.train;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Boxes drawn on an image as PyTorch 1.13's {@code add_image_with_boxes} draws them with Pillow: each box
 * {@code (xmin, ymin, xmax, ymax)} in pixels, its coordinates truncated towards zero, outlined in red by four sides
 * two pixels wide, each side Pillow's wide line from one corner to the next (left, bottom, right, top); a side two
 * pixels thick widens towards its right as it runs (a left side covers the columns xmin and xmin + 1, a bottom ymax
 * and ymax + 1, a right side xmax - 1 and xmax, a top ymin - 1 and ymin), a side of no length is one pixel, and what
 * lies past the image's edges is left out.
 *
 * <p>A label sits on a red band at the box's lower left, in black, as Pillow places it; the text is in Java's own
 * monospaced font, where PyTorch takes Pillow's built-in bitmap font, so a label's pixels are not PyTorch's.
 */
final class TensorBoardBoxes {
    private static final int RED = 0xffff0000;
    private static final Font LABEL_FONT = new Font(Font.MONOSPACED, Font.PLAIN, 11);

    private TensorBoardBoxes() {
    }

    /**
     * Draws each box of {@code boxes}, [n, 4] row-major, with its label where {@code labels} is not null, onto
     * {@code img} (RGB or ARGB).
     */
    static void draw(BufferedImage img, double[] boxes, List<String> labels) {
        for (int i = 0; i < boxes.length / 4; i++) {
            int left = (int) boxes[4 * i];
            int top = (int) boxes[4 * i + 1];
            int right = (int) boxes[4 * i + 2];
            int bottom = (int) boxes[4 * i + 3];
            side(img, left, top, left, bottom);
            side(img, left, bottom, right, bottom);
            side(img, right, bottom, right, top);
            side(img, right, top, left, top);
            String label = labels == null ? null : labels.get(i);
            if (label != null && !label.isEmpty()) {
                label(img, boxes[4 * i], boxes[4 * i + 3], label);
            }
        }
    }

    /**
     * Pillow's {@code ImagingDrawWideLine} of width 2 from (x0, y0) to (x1, y1), a vertical or horizontal line: the
     * polygon it fills is the line and its neighbour one pixel to the line's right, seen along its direction.
     */
    private static void side(BufferedImage img, int x0, int y0, int x1, int y1) {
        if (x0 == x1 && y0 == y1) {
            fill(img, x0, y0, x0, y0);
        } else if (x0 == x1) {
            int across = x0 + Integer.signum(y1 - y0);
            fill(img, Math.min(x0, across), Math.min(y0, y1), Math.max(x0, across), Math.max(y0, y1));
        } else {
            int across = y0 + Integer.signum(x1 - x0);
            fill(img, Math.min(x0, x1), Math.min(y0, across), Math.max(x0, x1), Math.max(y0, across));
        }
    }

    /** Paints red every pixel from (x0, y0) to (x1, y1), both included, that lies on the image. */
    private static void fill(BufferedImage img, int x0, int y0, int x1, int y1) {
        for (int y = Math.max(0, y0); y <= Math.min(img.getHeight() - 1, y1); y++) {
            for (int x = Math.max(0, x0); x <= Math.min(img.getWidth() - 1, x1); x++) {
                img.setRGB(x, y, RED);
            }
        }
    }

    /**
     * Pillow's placement of a label: a red band as wide as the text from {@code left}, rising from {@code bottom} by
     * the text's height and two margins of 5% of it, and the text in black one margin inside it.
     */
    private static void label(BufferedImage img, double left, double bottom, String text) {
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
            g.setFont(LABEL_FONT);
            FontMetrics metrics = g.getFontMetrics();
            int textWidth = metrics.stringWidth(text);
            int textHeight = metrics.getAscent() + metrics.getDescent();
            double margin = Math.ceil(0.05 * textHeight);
            double bandTop = bottom - textHeight - 2 * margin;
            g.setColor(Color.RED);
            g.fillRect((int) left, (int) bandTop, textWidth + 1, (int) bottom - (int) bandTop + 1);
            g.setColor(Color.BLACK);
            g.drawString(text, (int) (left + margin), (int) (bandTop + margin) + metrics.getAscent());
        } finally {
            g.dispose();
        }
    }
}
