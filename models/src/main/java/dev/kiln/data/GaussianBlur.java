package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code GaussianBlur(kernel_size, sigma)} on images [channels, height, width]: blurs each image with
 * a Gaussian kernel of {@code kernelWidth x kernelHeight} pixels whose standard deviation, the same across and down,
 * is drawn uniformly from [minSigma, maxSigma]; every channel alike. The kernel is torchvision's: weights
 * {@code exp(-x^2 / (2 sigma^2))} at x = -(k - 1) / 2 ... (k - 1) / 2 normalised to sum 1 along each axis, their
 * product; the image is padded by reflection (torch's {@code reflect}: the border pixel is not repeated), so each
 * kernel half must be smaller than the image.
 */
public final class GaussianBlur implements Augmentation {
    private final int kernelWidth;
    private final int kernelHeight;
    private final double minSigma;
    private final double maxSigma;

    /**
     * A square kernel and torchvision's default sigma range (0.1, 2).
     *
     * @param kernelSize kernel width and height, odd and positive
     */
    public GaussianBlur(int kernelSize) {
        this(kernelSize, kernelSize, 0.1, 2.0);
    }

    /**
     * @param kernelWidth  kernel size across (torchvision's {@code kernel_size[0]}), odd and positive
     * @param kernelHeight kernel size down ({@code kernel_size[1]}), odd and positive
     * @param minSigma     smallest standard deviation in pixels, above 0
     * @param maxSigma     largest, at least minSigma
     */
    public GaussianBlur(int kernelWidth, int kernelHeight, double minSigma, double maxSigma) {
        requireKernelSize("width", kernelWidth);
        requireKernelSize("height", kernelHeight);
        Ranges.requirePositiveRange("GaussianBlur", "sigma", minSigma, maxSigma);
        this.kernelWidth = kernelWidth;
        this.kernelHeight = kernelHeight;
        this.minSigma = minSigma;
        this.maxSigma = maxSigma;
    }

    private static void requireKernelSize(String name, int size) {
        if (size <= 0 || size % 2 == 0) {
            throw new IllegalArgumentException("GaussianBlur: kernel " + name + " must be odd and positive, got "
                    + size);
        }
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("GaussianBlur", shape);
        requireReflectable("width", kernelWidth, size[1]);
        requireReflectable("height", kernelHeight, size[0]);
        double sigma = sigma(random);
        blur(features, offset, Datasets.product(shape), size[0], size[1], kernel(kernelWidth, sigma),
                kernel(kernelHeight, sigma));
    }

    /** Reflect padding by half the kernel needs more pixels than that along the axis. */
    private static void requireReflectable(String axis, int kernel, int pixels) {
        if (kernel / 2 >= pixels) {
            throw new IllegalArgumentException("GaussianBlur: a kernel " + axis + " of " + kernel + " pads by "
                    + kernel / 2 + " pixels by reflection, which needs images more than that in " + axis + ", got "
                    + pixels);
        }
    }

    /** One image's standard deviation, uniform in [minSigma, maxSigma). */
    double sigma(SplittableRandom random) {
        return Ranges.uniform(random, minSigma, maxSigma);
    }

    /** torchvision's _get_gaussian_kernel1d: {@code exp(-x^2 / (2 sigma^2))} at the offsets from the middle, sum 1. */
    static double[] kernel(int size, double sigma) {
        double[] weights = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = (i - (size - 1) / 2) / sigma;
            weights[i] = Math.exp(-0.5 * x * x);
            sum += weights[i];
        }
        for (int i = 0; i < size; i++) {
            weights[i] /= sum;
        }
        return weights;
    }

    /**
     * Convolves every [height, width] plane of {@code features[offset, offset + length)} with the outer product of
     * {@code down} and {@code across}, padded by reflection: across the rows, then down the columns (the 2-D kernel
     * is separable, and reflection pads each axis on its own).
     */
    static void blur(float[] features, int offset, int length, int height, int width, double[] across,
            double[] down) {
        int plane = height * width;
        double[] rows = new double[plane];
        for (int start = offset; start < offset + length; start += plane) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int k = 0; k < across.length; k++) {
                        sum += across[k] * features[start + y * width + reflect(x + k - across.length / 2, width)];
                    }
                    rows[y * width + x] = sum;
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = 0;
                    for (int k = 0; k < down.length; k++) {
                        sum += down[k] * rows[reflect(y + k - down.length / 2, height) * width + x];
                    }
                    features[start + y * width + x] = (float) sum;
                }
            }
        }
    }

    /** The pixel that position {@code i} reads under reflect padding (…, 2, 1, 0, 1, 2, …), for |overhang| < n. */
    private static int reflect(int i, int n) {
        if (i < 0) {
            return -i;
        }
        return i >= n ? 2 * (n - 1) - i : i;
    }

    @Override
    public String toString() {
        return "GaussianBlur(kernel=" + kernelWidth + "x" + kernelHeight + ", sigma=(" + minSigma + ", " + maxSigma
                + "))";
    }
}
