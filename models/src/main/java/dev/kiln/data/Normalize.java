package dev.kiln.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * torchvision's {@code Normalize(mean, std)}: channel c of each image [..., channels, height, width] becomes
 * {@code (x - mean[c]) / std[c]}, in F32 as torchvision computes it; one mean and std serve every channel. The
 * channels are on axis -3 ([height, width] one channel) and the dimensions before it images, as torchvision's
 * {@code mean.view(-1, 1, 1)} meets a batch. It draws
 * nothing, so it can end a pipeline of random augmentations ({@code crop.andThen(new Normalize(...))}).
 */
public final class Normalize implements Augmentation {
    private final float[] mean;
    private final float[] std;

    /**
     * @param mean per channel, or one for all channels; finite
     * @param std  per channel, or one for all channels, as many as {@code mean}; finite and not 0 in F32
     */
    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: mean and std must have the same length, at least 1, got "
                    + mean.length + " and " + std.length);
        }
        this.mean = new float[mean.length];
        this.std = new float[std.length];
        for (int c = 0; c < mean.length; c++) {
            this.mean[c] = (float) mean[c];
            this.std[c] = (float) std[c];
            if (!Float.isFinite(this.mean[c]) || !Float.isFinite(this.std[c]) || this.std[c] == 0) {
                throw new IllegalArgumentException("Normalize: mean must be finite and std finite and not 0 in F32,"
                        + " got mean " + mean[c] + " and std " + std[c] + " for channel " + c);
            }
        }
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("Normalize", shape);
        int plane = size[0] * size[1];
        // The channels on axis -3, as torchvision's mean.view(-1, 1, 1) meets them; the dimensions before it images.
        int channels = shape.length == 2 ? 1 : shape[shape.length - 3];
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException("Normalize: " + mean.length + " means and stds for images of "
                    + channels + " channels, example shape " + Arrays.toString(shape));
        }
        int planes = channels * ImageOps.images(shape);
        for (int p = 0; p < planes; p++) {
            int c = p % channels;
            float m = mean[mean.length == 1 ? 0 : c];
            float s = std[std.length == 1 ? 0 : c];
            for (int i = offset + p * plane; i < offset + (p + 1) * plane; i++) {
                features[i] = (features[i] - m) / s;
            }
        }
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
