package dev.kiln.train;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * PyTorch 1.13's {@code add_video}: videos [N, T, C, H, W] as one animated GIF, an image summary of the frames' size
 * and C as its colorspace. The N videos play side by side, N padded with black videos to a power of two laid out in
 * {@code 2^(floor(log2 N) / 2)} rows (PyTorch's {@code _prepare_video}); a pixel's bytes as {@code add_image}'s
 * ({@link TensorBoardImage#bytes}). PyTorch encodes the GIF through moviepy; Kiln with the JDK's GIF writer: each
 * frame shown {@code round(100 / fps)} hundredths of a second, looping forever. A GIF holds at most 256 colours a
 * frame: a frame with more is written with a fixed palette of 252 colours, each pixel its nearest (moviepy quantises
 * such frames too, with a palette of their own).
 */
final class TensorBoardVideo {
    private static final String GIF_METADATA = "javax_imageio_gif_image_1.0";
    /** A GIF frame's palette holds 256 colours at most. */
    private static final int MAX_COLOURS = 256;
    /** Red, green and blue levels of the palette for frames of more than 256 colours: 6 x 7 x 6 = 252 colours. */
    private static final int[] FIXED_LEVELS = {6, 7, 6};

    private TensorBoardVideo() {
    }

    /** The event of {@code video} [N, T, C, H, W], C 1 or 3, each size at least 1; {@code fps} above 0. */
    static byte[] event(double wallTime, long step, String tag, Tensor video, double fps) {
        int[] d = video.shape().dims();
        if (d.length != 5 || (d[2] != 1 && d[2] != 3) || Arrays.stream(d).anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("video '" + tag + "': expected a shape [N, T, C, H, W] with C 1 or 3"
                    + " and N, T, H, W at least 1, got " + Arrays.toString(d));
        }
        if (!(fps > 0 && fps < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("video '" + tag + "': fps must be above 0 and finite, got " + fps);
        }
        int[] bytes = TensorBoardImage.bytes("video '" + tag + "'", video);
        int n = d[0];
        int padded = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        int rows = 1 << (31 - Integer.numberOfLeadingZeros(n)) / 2;
        int columns = padded / rows;
        BufferedImage[] frames = new BufferedImage[d[1]];
        for (int t = 0; t < frames.length; t++) {
            frames[t] = frame(bytes, d, t, rows, columns);
        }
        int delay = (int) Math.max(1, Math.round(100 / fps));
        return TensorBoardEvent.image(wallTime, step, tag, rows * d[3], columns * d[4], d[2], gif(frames, delay));
    }

    /** Frame {@code t} of every video, video k at row k / columns, column k % columns; black past the last. */
    private static BufferedImage frame(int[] bytes, int[] d, int t, int rows, int columns) {
        int frames = d[1];
        int channels = d[2];
        int h = d[3];
        int w = d[4];
        int width = columns * w;
        int[] rgb = new int[rows * h * width];
        for (int k = 0; k < d[0]; k++) {
            int plane = h * w;
            int start = (k * frames + t) * channels * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int at = start + y * w + x;
                    int r = bytes[at];
                    int g = channels == 1 ? r : bytes[at + plane];
                    int b = channels == 1 ? r : bytes[at + 2 * plane];
                    rgb[(k / columns * h + y) * width + k % columns * w + x] = r << 16 | g << 8 | b;
                }
            }
        }
        return indexed(rgb, width, rows * h);
    }

    /**
     * The pixels as a GIF's palette image: its own colours where there are 256 at most (the JDK's writer would build
     * a palette that loses some even then); else the nearest of {@link #FIXED_LEVELS}' 252 colours.
     */
    static BufferedImage indexed(int[] rgb, int width, int height) {
        Map<Integer, Integer> palette = new LinkedHashMap<>();
        for (int c : rgb) {
            if (palette.size() <= MAX_COLOURS) {
                palette.putIfAbsent(c, palette.size());
            }
        }
        boolean exact = palette.size() <= MAX_COLOURS;
        int[] colours = exact ? palette.keySet().stream().mapToInt(Integer::intValue).toArray() : fixedPalette();
        byte[] r = new byte[colours.length];
        byte[] g = new byte[colours.length];
        byte[] b = new byte[colours.length];
        for (int i = 0; i < colours.length; i++) {
            r[i] = (byte) (colours[i] >> 16);
            g[i] = (byte) (colours[i] >> 8);
            b[i] = (byte) colours[i];
        }
        IndexColorModel model = new IndexColorModel(8, colours.length, r, g, b);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, model);
        byte[] pixels = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i++) {
            pixels[i] = (byte) (exact ? palette.get(rgb[i]) : nearestFixed(rgb[i]));
        }
        return img;
    }

    private static int[] fixedPalette() {
        int[] colours = new int[FIXED_LEVELS[0] * FIXED_LEVELS[1] * FIXED_LEVELS[2]];
        for (int i = 0; i < colours.length; i++) {
            int r = level(i / (FIXED_LEVELS[1] * FIXED_LEVELS[2]), FIXED_LEVELS[0]);
            int g = level(i / FIXED_LEVELS[2] % FIXED_LEVELS[1], FIXED_LEVELS[1]);
            int b = level(i % FIXED_LEVELS[2], FIXED_LEVELS[2]);
            colours[i] = r << 16 | g << 8 | b;
        }
        return colours;
    }

    private static int level(int k, int levels) {
        return Math.round(k * 255f / (levels - 1));
    }

    private static int nearestFixed(int rgb) {
        int r = Math.round((rgb >> 16 & 0xff) * (FIXED_LEVELS[0] - 1) / 255f);
        int g = Math.round((rgb >> 8 & 0xff) * (FIXED_LEVELS[1] - 1) / 255f);
        int b = Math.round((rgb & 0xff) * (FIXED_LEVELS[2] - 1) / 255f);
        return (r * FIXED_LEVELS[1] + g) * FIXED_LEVELS[2] + b;
    }

    /** The frames as an animated GIF: each {@code delay} hundredths of a second, looping forever. */
    static byte[] gif(BufferedImage[] frames, int delay) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (int t = 0; t < frames.length; t++) {
                writer.writeToSequence(new IIOImage(frames[t], null, metadata(writer, frames[t], delay, t == 0)),
                        null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            // Written to memory; ImageIO's signatures are checked.
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static IIOMetadata metadata(ImageWriter writer, BufferedImage frame, int delay, boolean first)
            throws IOException {
        IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null);
        IIOMetadataNode root = (IIOMetadataNode) metadata.getAsTree(GIF_METADATA);
        // Rows in order, not interlaced: a two-row interlaced frame came back from the JDK's reader without its second.
        child(root, "ImageDescriptor").setAttribute("interlaceFlag", "FALSE");
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("delayTime", Integer.toString(delay));
        control.setAttribute("transparentColorIndex", "0");
        // The frame's own palette: without it the writer uses its default global one, not the frame's colours.
        root.appendChild(colourTable((IndexColorModel) frame.getColorModel()));
        if (first) {
            // NETSCAPE2.0's loop count 0: play forever, as moviepy's GIFs do.
            IIOMetadataNode loop = new IIOMetadataNode("ApplicationExtension");
            loop.setAttribute("applicationID", "NETSCAPE");
            loop.setAttribute("authenticationCode", "2.0");
            loop.setUserObject(new byte[] {1, 0, 0});
            child(root, "ApplicationExtensions").appendChild(loop);
        }
        metadata.setFromTree(GIF_METADATA, root);
        return metadata;
    }

    /** A GIF's local colour table of the palette, padded with black to a power of two entries. */
    private static IIOMetadataNode colourTable(IndexColorModel palette) {
        int size = Math.max(2, Integer.highestOneBit(palette.getMapSize() - 1) << 1);
        IIOMetadataNode table = new IIOMetadataNode("LocalColorTable");
        table.setAttribute("sizeOfLocalColorTable", Integer.toString(size));
        table.setAttribute("sortFlag", "FALSE");
        for (int i = 0; i < size; i++) {
            IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
            boolean used = i < palette.getMapSize();
            entry.setAttribute("index", Integer.toString(i));
            entry.setAttribute("red", Integer.toString(used ? palette.getRed(i) : 0));
            entry.setAttribute("green", Integer.toString(used ? palette.getGreen(i) : 0));
            entry.setAttribute("blue", Integer.toString(used ? palette.getBlue(i) : 0));
            table.appendChild(entry);
        }
        return table;
    }

    /** The child named so, added when missing. */
    private static IIOMetadataNode child(IIOMetadataNode root, String name) {
        for (int i = 0; i < root.getLength(); i++) {
            if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) root.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        root.appendChild(node);
        return node;
    }
}
