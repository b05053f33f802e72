package dev.kiln.data;

import java.util.Arrays;

/**
 * torchvision's functional colour operations that its automatic augmentation policies use (functional_tensor.py),
 * on one image of {@code channels} planes of {@code plane} pixels from {@code offset} on, in place. Values are
 * floats in [0, 1], as torchvision's float path holds them; its blends clamp to [0, 1].
 *
 * <p>torchvision runs posterize and equalize on uint8 images only. Here they convert each value to uint8 as
 * torchvision's {@code convert_image_dtype} does, {@code trunc(x * 255.999)} after clamping to [0, 1] (so that a byte
 * b stored as b / 255 comes back as b), run torchvision's uint8 arithmetic, and write {@code v / 255}: their output
 * is always on the 256 levels.
 */
final class ImageOps {
    /** The weight of the centre of torchvision's smoothing kernel for sharpness; the 8 neighbours weigh 1. */
    private static final float SHARPNESS_CENTRE = 5;
    private static final int LEVELS = 256;

    private ImageOps() {
    }

    /**
     * The channel count of grey or RGB images [..., 1 or 3, height, width]: the size of axis -3, as torchvision's
     * {@code get_dimensions} reads it, or 1 for [height, width]; a clear error naming {@code who} else, or where the
     * images have no pixels.
     */
    static int greyOrRgbChannels(String who, int[] shape) {
        int[] size = Datasets.imageSize(who, shape);
        int channels = shape.length == 2 ? 1 : shape[shape.length - 3];
        if (channels != 1 && channels != 3 || size[0] * size[1] == 0) {
            throw new IllegalArgumentException(who + " needs grey or RGB images [..., 1 or 3, height, width], got"
                    + " example shape " + Arrays.toString(shape));
        }
        return channels;
    }

    /**
     * The number of images [channels, height, width] in an example [..., channels, height, width]: the product of the
     * dimensions before axis -3, 1 for [channels, height, width] or [height, width]. They share the example's draw, as
     * the images of a batch share a torchvision transform's.
     */
    static int images(int[] shape) {
        return shape.length <= 3 ? 1 : Datasets.product(Arrays.copyOf(shape, shape.length - 3));
    }

    /**
     * torchvision's adjust_saturation: {@code clamp(factor x + (1 - factor) grey, 0, 1)}, grey the pixel's
     * {@code 0.2989 R + 0.587 G + 0.114 B}; a 1-channel image is left alone, as torchvision (and PIL) leave it.
     */
    static void saturation(float[] features, int offset, int plane, int channels, double factor) {
        if (channels == 1) {
            return;
        }
        for (int i = offset; i < offset + plane; i++) {
            // torchvision rounds the grey image to the image's F32 before blending.
            float grey = (float) (0.2989 * features[i] + 0.587 * features[i + plane] + 0.114 * features[i + 2 * plane]);
            for (int c = 0; c < 3; c++) {
                features[i + c * plane] = blend(factor, features[i + c * plane], grey);
            }
        }
    }

    /**
     * torchvision's adjust_sharpness: each plane blended with its smoothed copy, {@code clamp(factor x +
     * (1 - factor) smooth, 0, 1)}, where smooth is the 3 x 3 average weighting the centre 5 and its neighbours 1 on
     * interior pixels and the pixel itself on the border. Images of height or width 2 or less are left alone.
     */
    static void sharpness(float[] features, int offset, int height, int width, int channels, double factor) {
        if (height <= 2 || width <= 2) {
            return;
        }
        int plane = height * width;
        float[] source = new float[plane];
        for (int start = offset; start < offset + channels * plane; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    float value = source[y * width + x];
                    boolean border = y == 0 || y == height - 1 || x == 0 || x == width - 1;
                    double other = border ? value : smoothed(source, width, y, x);
                    features[start + y * width + x] = blend(factor, value, other);
                }
            }
        }
    }

    private static double smoothed(float[] source, int width, int y, int x) {
        double sum = 0;
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                float weight = dy == 0 && dx == 0 ? SHARPNESS_CENTRE : 1;
                sum += weight * source[(y + dy) * width + x + dx];
            }
        }
        // torchvision runs the kernel in the image's F32.
        return (float) (sum / (SHARPNESS_CENTRE + 8));
    }

    /** torchvision's posterize on the uint8 image: the top {@code bits} bits of each value kept, the rest zeroed. */
    static void posterize(float[] features, int offset, int length, int bits) {
        int mask = -(1 << (8 - bits));
        for (int i = offset; i < offset + length; i++) {
            features[i] = fromByte(toByte(features[i]) & mask);
        }
    }

    /** torchvision's solarize: values at or above {@code threshold} become {@code 1 - x}. */
    static void solarize(float[] features, int offset, int length, double threshold) {
        for (int i = offset; i < offset + length; i++) {
            if (features[i] >= threshold) {
                features[i] = 1f - features[i];
            }
        }
    }

    /**
     * torchvision's autocontrast: each plane stretched linearly so that its least value is 0 and its greatest 1; a
     * constant plane is left alone.
     */
    static void autocontrast(float[] features, int offset, int plane, int channels) {
        for (int start = offset; start < offset + channels * plane; start += plane) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = start; i < start + plane; i++) {
                min = Math.min(min, features[i]);
                max = Math.max(max, features[i]);
            }
            // In F32, as torchvision: scale = 1 / (max - min), infinite for a constant plane.
            float scale = 1f / (max - min);
            if (!Float.isFinite(scale)) {
                min = 0;
                scale = 1;
            }
            for (int i = start; i < start + plane; i++) {
                features[i] = Math.max(0f, Math.min(1f, (features[i] - min) * scale));
            }
        }
    }

    /**
     * torchvision's equalize on the uint8 image, per plane: each level v becomes {@code (cdf(v - 1) + step / 2) /
     * step}, cdf the count of pixels at or below a level and step the pixel count less those of the highest level
     * present, divided by 255 (both floored). A plane whose step is 0 keeps its levels.
     */
    static void equalize(float[] features, int offset, int plane, int channels) {
        int[] levels = new int[plane];
        for (int start = offset; start < offset + channels * plane; start += plane) {
            int[] histogram = new int[LEVELS];
            for (int i = 0; i < plane; i++) {
                levels[i] = toByte(features[start + i]);
                histogram[levels[i]]++;
            }
            int[] table = equalizingTable(histogram, plane);
            for (int i = 0; i < plane; i++) {
                features[start + i] = fromByte(table == null ? levels[i] : table[levels[i]]);
            }
        }
    }

    /** torchvision's lookup table for one plane's histogram, or null where its step is 0. */
    private static int[] equalizingTable(int[] histogram, int pixels) {
        int highest = LEVELS - 1;
        while (highest > 0 && histogram[highest] == 0) {
            highest--;
        }
        int step = (pixels - histogram[highest]) / 255;
        if (step == 0) {
            return null;
        }
        int[] table = new int[LEVELS];
        int cumulative = 0;
        for (int v = 0; v < LEVELS; v++) {
            table[v] = Math.min(255, (cumulative + step / 2) / step);
            cumulative += histogram[v];
        }
        return table;
    }

    /** torchvision's convert_image_dtype from float to uint8, {@code trunc(x * 255.999)}, after a clamp to [0, 1]. */
    static int toByte(float x) {
        float clamped = Math.max(0f, Math.min(1f, x));
        return (int) (clamped * 255.999f);
    }

    /** torchvision's convert_image_dtype from uint8 to float. */
    static float fromByte(int v) {
        return v / 255f;
    }

    /** torchvision's _blend: {@code clamp(factor x + (1 - factor) other, 0, 1)}. */
    private static float blend(double factor, float x, double other) {
        return (float) Math.max(0, Math.min(1, factor * x + (1 - factor) * other));
    }
}
