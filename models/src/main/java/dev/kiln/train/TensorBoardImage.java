package dev.kiln.train;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Locale;

/**
 * The pixels of an image summary made from a tensor as PyTorch 1.13's {@code add_image} and {@code add_images} make
 * them ({@code convert_to_HWC}, then the bytes): the tensor's axes named by {@code dataformats}, any order of the
 * letters of {@code NCHW} (several images, laid out as {@link TensorBoardImageGrid}; C 1 or 3), {@code CHW} (one
 * image; C 1, 3 or 4) or {@code HW} (one grey image); grey written as RGB. A floating-point tensor holds values in
 * [0, 1], each becoming the byte {@code (int) (v * 255)} in float arithmetic, clamped to [0, 255]; an integer tensor
 * (I32, I64: Kiln has no uint8) holds the bytes themselves, 0 to 255, as PyTorch's uint8 images.
 *
 * @param bytes    [channels, height, width] row-major, each 0 to 255
 * @param channels 3 (RGB) or 4 (RGBA)
 */
record TensorBoardImage(int[] bytes, int channels, int height, int width) {
    /**
     * The image of {@code tensor} laid out as {@code dataformats} says (letters in either case).
     *
     * @param what the summary and its tag for errors, e.g. {@code image 'x'}
     */
    static TensorBoardImage of(String what, Tensor tensor, String dataformats) {
        String format = checkFormat(what, dataformats);
        int[] dims = tensor.shape().dims();
        String canonical = canonical(format);
        if (dims.length != format.length() || !fits(canonical, permuted(dims, format, canonical))) {
            throw new IllegalArgumentException(what + ": expected a shape " + named(format) + " with "
                    + requirement(canonical) + ", got " + Arrays.toString(dims));
        }
        int[] to = permuted(dims, format, canonical);
        int[] values = transpose(bytes(what, tensor), dims, format, canonical);
        return switch (canonical) {
            case "NCHW" -> grid(values, to);
            case "CHW" -> to[0] == 1 ? grey(values, to[1], to[2]) : new TensorBoardImage(values, to[0], to[1], to[2]);
            default -> grey(values, to[0], to[1]);
        };
    }

    /** The image as Java's, for the PNG encoder. */
    BufferedImage toBufferedImage() {
        boolean alpha = channels == 4;
        BufferedImage img = new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB
                : BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = y * width + x;
                int a = alpha ? bytes[3 * plane + at] : 0xff;
                img.setRGB(x, y, a << 24 | bytes[at] << 16 | bytes[plane + at] << 8 | bytes[2 * plane + at]);
            }
        }
        return img;
    }

    /** The byte of a value in [0, 1], truncated from v * 255 in float arithmetic as PyTorch's is. */
    static int toByte(float v) {
        float scaled = v * 255f;
        return scaled >= 255f ? 255 : scaled > 0f ? (int) scaled : 0;
    }

    /** Each element's byte: a float's {@link #toByte}, an integer as it is (checked to be 0 to 255). */
    static int[] bytes(String what, Tensor tensor) {
        if (tensor.dtype().isFloating()) {
            float[] v = tensor.toFloatArray();
            int[] out = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = toByte(v[i]);
            }
            return out;
        }
        double[] v = tensor.toDoubleArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= 0 && v[i] <= 255)) {
                throw new IllegalArgumentException(what + ": an integer (" + tensor.dtype() + ") tensor holds bytes"
                        + " 0 to 255, as PyTorch's uint8, got " + (long) v[i] + " at " + i);
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    private static String checkFormat(String what, String dataformats) {
        String format = dataformats == null ? "" : dataformats.toUpperCase(Locale.ROOT);
        String canonical = canonical(format);
        if (canonical == null || format.chars().distinct().count() != format.length()
                || !format.chars().allMatch(c -> canonical.indexOf(c) >= 0)) {
            throw new IllegalArgumentException(what + ": dataformats must hold the letters of NCHW, CHW or HW, each"
                    + " once, in any order, got '" + dataformats + "'");
        }
        return format;
    }

    /** The axes' order the layout works in, by the format's length. */
    private static String canonical(String format) {
        return switch (format.length()) {
            case 4 -> "NCHW";
            case 3 -> "CHW";
            case 2 -> "HW";
            default -> null;
        };
    }

    /** The shape in the format's own order, e.g. [H, W, C]. */
    private static String named(String format) {
        return Arrays.toString(format.chars().mapToObj(c -> String.valueOf((char) c)).toArray());
    }

    private static String requirement(String canonical) {
        return switch (canonical) {
            case "NCHW" -> "C 1 or 3 and N, H, W at least 1";
            case "CHW" -> "C 1, 3 or 4";
            default -> "H, W at least 1";
        };
    }

    private static boolean fits(String canonical, int[] d) {
        for (int size : d) {
            if (size < 1) {
                return false;
            }
        }
        return switch (canonical) {
            case "NCHW" -> d[1] == 1 || d[1] == 3;
            case "CHW" -> d[0] == 1 || d[0] == 3 || d[0] == 4;
            default -> true;
        };
    }

    /** The sizes of {@code dims} (in {@code format}'s order) in {@code canonical}'s order. */
    private static int[] permuted(int[] dims, String format, String canonical) {
        int[] out = new int[dims.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = dims[format.indexOf(canonical.charAt(i))];
        }
        return out;
    }

    /** {@code values} laid out in {@code format}'s axes, rearranged to {@code canonical}'s, row-major. */
    private static int[] transpose(int[] values, int[] dims, String format, String canonical) {
        int rank = dims.length;
        int[] strides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= dims[i], i--) {
            strides[i] = s;
        }
        int[] to = permuted(dims, format, canonical);
        int[] step = new int[rank];
        for (int i = 0; i < rank; i++) {
            step[i] = strides[format.indexOf(canonical.charAt(i))];
        }
        int[] out = new int[values.length];
        int[] index = new int[rank];
        for (int k = 0; k < out.length; k++) {
            int from = 0;
            for (int i = 0; i < rank; i++) {
                from += index[i] * step[i];
            }
            out[k] = values[from];
            for (int i = rank - 1; i >= 0 && ++index[i] == to[i]; i--) {
                index[i] = 0;
            }
        }
        return out;
    }

    private static TensorBoardImage grid(int[] images, int[] nchw) {
        TensorBoardImageGrid grid = TensorBoardImageGrid.of(images, nchw);
        return new TensorBoardImage(grid.values(), 3, grid.height(), grid.width());
    }

    /** One plane as the three of RGB. */
    private static TensorBoardImage grey(int[] plane, int height, int width) {
        int[] out = new int[3 * plane.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(plane, 0, out, c * plane.length, plane.length);
        }
        return new TensorBoardImage(out, 3, height, width);
    }
}
