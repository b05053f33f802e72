package dev.kiln.train;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The files of TensorBoard's embedding projector as PyTorch 1.13's {@code add_embedding} writes them, for
 * {@link SummaryWriter#addEmbedding}: the directory {@code <step, 5 digits at least>/<tag, with %, / and \ as %25,
 * %2f and %5c>}, and in it {@code tensors.tsv} (each value as Python's {@code str} of the element's
 * {@code item()}: a float as {@code repr} of the double, so F32 0.1 is {@code 0.10000000149011612}),
 * {@code metadata.tsv} (a label a line, or a header line and tab-separated rows) and {@code sprite.png}; and the
 * {@code embeddings} entry of {@code projector_config.pbtxt}, in protobuf's text format.
 */
final class TensorBoardProjector {
    private TensorBoardProjector() {
    }

    /** The embedding's directory, relative to the log directory, with {@code /} between its two names. */
    static String subdirectory(long step, String tag) {
        return String.format(Locale.ROOT, "%05d", step) + "/"
                + tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c");
    }

    /** The rows of {@code mat} [N, D], tab-separated, each line ended by a newline. */
    static String tensorsTsv(Tensor mat) {
        int columns = mat.dim(1);
        boolean floating = mat.dtype().isFloating();
        double[] reals = floating ? mat.toDoubleArray() : null;
        long[] integers = floating ? null : mat.toLongArray();
        int count = floating ? reals.length : integers.length;
        StringBuilder tsv = new StringBuilder(count * 12);
        for (int i = 0; i < count; i++) {
            tsv.append(floating ? PythonFloat.repr(reals[i]) : Long.toString(integers[i]));
            tsv.append((i + 1) % columns == 0 ? '\n' : '\t');
        }
        return tsv.toString();
    }

    /** A label a line. */
    static String metadataTsv(List<String> labels) {
        return String.join("\n", labels) + "\n";
    }

    /** The header line and each row, their values tab-separated. */
    static String metadataTsv(List<String> header, List<List<String>> rows) {
        StringBuilder tsv = new StringBuilder(String.join("\t", header)).append('\n');
        rows.forEach(row -> tsv.append(String.join("\t", row)).append('\n'));
        return tsv.toString();
    }

    /**
     * PyTorch's sprite of {@code images} [N, C, H, W] (N, H and W at least 1, C 1 or 3): the images in rows of ceil(sqrt(N)), left to right,
     * on black, in a square as wide as a row; each value v becomes the byte of v * 255 (in F64) clamped to [0, 255]
     * and truncated, grey as RGB. Where the rows are taller than that square (H > W), PyTorch fails; here the canvas
     * then grows to the rows' height, so that the projector still finds each image at its place.
     */
    static BufferedImage sprite(Tensor images) {
        int n = images.dim(0);
        int channels = images.dim(1);
        int h = images.dim(2);
        int w = images.dim(3);
        int columns = Math.min(n, (int) Math.ceil(Math.sqrt(n)));
        int rows = (n + columns - 1) / columns;
        int side = w * columns;
        BufferedImage sprite = new BufferedImage(side, Math.max(side, h * rows), BufferedImage.TYPE_INT_RGB);
        double[] v = images.toDoubleArray();
        int plane = h * w;
        for (int k = 0; k < n; k++) {
            int image = k * channels * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int at = image + y * w + x;
                    int r = toByte(v[at]);
                    int g = channels == 1 ? r : toByte(v[at + plane]);
                    int b = channels == 1 ? r : toByte(v[at + 2 * plane]);
                    sprite.setRGB(k % columns * w + x, k / columns * h + y, r << 16 | g << 8 | b);
                }
            }
        }
        return sprite;
    }

    /** NumPy's {@code uint8((v * 255).clip(0, 255))}, NaN as 0. */
    private static int toByte(double v) {
        double scaled = v * 255;
        return scaled >= 255 ? 255 : scaled > 0 ? (int) scaled : 0;
    }

    /**
     * One {@code embeddings} entry of the config, its fields in their numbers' order as protobuf's text format
     * writes them.
     *
     * @param metadata whether the embedding has a {@code metadata.tsv}
     * @param sprite   {@code [width, height]} of an image of the sprite, or null without one
     */
    static String configEntry(long step, String tag, boolean metadata, int[] sprite) {
        String dir = subdirectory(step, tag);
        StringBuilder entry = new StringBuilder("embeddings {\n");
        field(entry, "  ", "tensor_name", tag + ":" + String.format(Locale.ROOT, "%05d", step));
        if (metadata) {
            field(entry, "  ", "metadata_path", dir + "/metadata.tsv");
        }
        if (sprite != null) {
            entry.append("  sprite {\n");
            field(entry, "    ", "image_path", dir + "/sprite.png");
            entry.append("    single_image_dim: ").append(sprite[0]).append('\n');
            entry.append("    single_image_dim: ").append(sprite[1]).append('\n');
            entry.append("  }\n");
        }
        field(entry, "  ", "tensor_path", dir + "/tensors.tsv");
        return entry.append("}\n").toString();
    }

    private static void field(StringBuilder entry, String indent, String name, String value) {
        entry.append(indent).append(name).append(": \"").append(escape(value)).append("\"\n");
    }

    /**
     * A string as protobuf's text format quotes it: its UTF-8 bytes, with C escapes for newline, carriage return,
     * tab, quotes and backslash, and octal ones for the other bytes outside printable ASCII.
     */
    static String escape(String value) {
        StringBuilder escaped = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                case '"' -> escaped.append("\\\"");
                case '\'' -> escaped.append("\\'");
                case '\\' -> escaped.append("\\\\");
                default -> escaped.append(c < 0x20 || c >= 0x7f ? String.format(Locale.ROOT, "\\%03o", c)
                        : String.valueOf((char) c));
            }
        }
        return escaped.toString();
    }
}
