package dev.kiln.engine;

/**
 * Where each output position of one axis reads the input, by PyTorch 1.13's CPU rules (ATen's {@code UpSample.h}):
 * as source indices for the nearest modes, as an [out, in] matrix for the others. The ratio of input to output
 * positions is {@code 1 / scaleFactor} where a scale factor is used as given (PyTorch's
 * {@code recompute_scale_factor=False}), else {@code in / out}; with {@code alignCorners} it is
 * {@code (in - 1) / (out - 1)} (0 for one output position). A null {@code scaleFactor} means none is used.
 */
final class InterpolationWeights {
    /** PyTorch's bicubic coefficient. */
    private static final double CUBIC_A = -0.75;
    /** Keys's coefficient, PyTorch's (and Pillow's) for bicubic antialiasing. */
    private static final double KEYS_A = -0.5;

    private InterpolationWeights() {
    }

    /**
     * {@code 'nearest'}: {@code min(floor(o * ratio), in - 1)} in float as PyTorch computes it. PyTorch's backward
     * pass reads an integer factor's shortcut ({@code o / 2} for twice the size, o for the same size) whatever the
     * factor given; the gradient here is that of the forward pass.
     */
    static int[] nearest(int in, int out, Double scaleFactor) {
        float ratio = nearestRatio(in, out, scaleFactor);
        int[] source = new int[out];
        for (int o = 0; o < out; o++) {
            source[o] = Math.min((int) Math.floor((float) o * ratio), in - 1);
        }
        return source;
    }

    /** {@code 'nearest-exact'}: {@code min(floor((o + 0.5) * ratio), in - 1)}, the product rounded to float. */
    static int[] nearestExact(int in, int out, Double scaleFactor) {
        float ratio = nearestRatio(in, out, scaleFactor);
        int[] source = new int[out];
        for (int o = 0; o < out; o++) {
            source[o] = Math.min((int) Math.floor((float) ((o + 0.5) * ratio)), in - 1);
        }
        return source;
    }

    private static float nearestRatio(int in, int out, Double scaleFactor) {
        return scaleFactor != null ? (float) (1.0 / scaleFactor) : (float) in / out;
    }

    /**
     * {@code 'linear'} along one axis: output o between input positions {@code floor(s)} and the next (the last
     * repeated) at source position {@code s = o ratio} with {@code alignCorners}, else {@code (o + 0.5) ratio - 0.5}
     * clamped at 0. Not for the same size, which PyTorch copies whatever the factor ({@link #copies}).
     */
    static double[][] linear(int in, int out, boolean alignCorners, Double scaleFactor) {
        double[][] m = new double[out][in];
        double ratio = ratio(in, out, alignCorners, scaleFactor);
        for (int o = 0; o < out; o++) {
            double source = alignCorners ? ratio * o : Math.max(ratio * (o + 0.5) - 0.5, 0);
            int below = (int) source;
            double upperWeight = source - below;
            m[o][below] += 1 - upperWeight;
            m[o][below < in - 1 ? below + 1 : below] += upperWeight;
        }
        return m;
    }

    /**
     * {@code 'bicubic'} along one axis: cubic convolution with A = -0.75 of the four input positions around the
     * unclamped source position s ({@code o ratio} with {@code alignCorners}, else {@code (o + 0.5) ratio - 0.5}),
     * those beyond the edges read at the edge (their weights add onto it). The floor of s is taken in float, as
     * PyTorch's {@code floorf}.
     */
    static double[][] cubic(int in, int out, boolean alignCorners, Double scaleFactor) {
        double[][] m = new double[out][in];
        double ratio = ratio(in, out, alignCorners, scaleFactor);
        for (int o = 0; o < out; o++) {
            double source = alignCorners ? ratio * o : ratio * (o + 0.5) - 0.5;
            long floor = (long) Math.floor((float) source);
            double t = source - floor;
            double[] weights = {far(t + 1, CUBIC_A), near(t, CUBIC_A), near(1 - t, CUBIC_A), far(2 - t, CUBIC_A)};
            for (int j = 0; j < 4; j++) {
                m[o][(int) Math.max(Math.min(floor - 1 + j, in - 1), 0)] += weights[j];
            }
        }
        return m;
    }

    /** The cubic convolution kernel with coefficient a for a distance within 1. */
    private static double near(double x, double a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    /** The cubic convolution kernel with coefficient a for a distance between 1 and 2. */
    private static double far(double x, double a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    /**
     * {@code 'area'}: row o averages adaptive average pooling's window, input positions {@code floor(o in / out)} to
     * {@code ceil((o + 1) in / out)}, exclusive.
     */
    static double[][] area(int in, int out) {
        double[][] m = new double[out][in];
        for (int o = 0; o < out; o++) {
            int start = (int) ((long) o * in / out);
            int end = (int) (((long) (o + 1) * in + out - 1) / out);
            for (int i = start; i < end; i++) {
                m[o][i] = 1.0 / (end - start);
            }
        }
        return m;
    }

    /**
     * Whether the matrix of {@code mode} copies the axis: the same size, read at source positions o (always for
     * linear and area; for bicubic and antialiasing with {@code alignCorners} or a ratio of 1, not for another factor
     * given).
     */
    static boolean copies(InterpolationMode mode, boolean antialias, int in, int out, boolean alignCorners,
            Double scaleFactor) {
        return in == out && (mode != InterpolationMode.BICUBIC && !antialias || alignCorners
                || ratio(in, out, false, scaleFactor) == 1);
    }

    /**
     * PyTorch's {@code antialias=True} for bilinear and bicubic: output o averages the input positions within the
     * filter's support around centre {@code c = ratio (o + 0.5)} (even with {@code alignCorners}, whose ratio alone
     * differs, as in PyTorch 1.13), weighted by the filter at {@code (i - c + 0.5) / max(ratio, 1)}, the weights
     * normalised to sum to 1. The filter is the triangle {@code max(0, 1 - |x|)} for bilinear and cubic convolution
     * with A = -0.5 (Keys's, as Pillow's) for bicubic; its support, 1 or 2, widens by the ratio where the axis shrinks,
     * so that every input position counts.
     */
    static double[][] antialiased(int in, int out, boolean alignCorners, Double scaleFactor, boolean cubic) {
        double[][] m = new double[out][in];
        double ratio = ratio(in, out, alignCorners, scaleFactor);
        double halfWidth = cubic ? 2 : 1;
        double support = ratio >= 1 ? halfWidth * ratio : halfWidth;
        double stretch = ratio >= 1 ? 1 / ratio : 1;
        for (int o = 0; o < out; o++) {
            double centre = ratio * (o + 0.5);
            int first = (int) Math.max((long) (centre - support + 0.5), 0);
            int end = (int) Math.min((long) (centre + support + 0.5), in);
            double total = 0;
            for (int i = first; i < end; i++) {
                double x = (i - centre + 0.5) * stretch;
                m[o][i] = cubic ? keys(x) : Math.max(0, 1 - Math.abs(x));
                total += m[o][i];
            }
            for (int i = first; i < end && total != 0; i++) {
                m[o][i] /= total;
            }
        }
        return m;
    }

    /** Keys's cubic convolution kernel at x, 0 beyond a distance of 2. */
    private static double keys(double x) {
        double d = Math.abs(x);
        if (d < 1) {
            return near(d, KEYS_A);
        }
        return d < 2 ? far(d, KEYS_A) : 0;
    }

    /** ATen's {@code area_pixel_compute_scale}. */
    private static double ratio(int in, int out, boolean alignCorners, Double scaleFactor) {
        if (alignCorners) {
            return out > 1 ? (double) (in - 1) / (out - 1) : 0;
        }
        return scaleFactor != null ? 1.0 / scaleFactor : (double) in / out;
    }
}
