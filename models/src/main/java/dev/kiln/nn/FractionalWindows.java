package dev.kiln.nn;

/**
 * The windows of PyTorch's fractional max pooling (Graham, 2014): along an axis of {@code in} positions pooled to
 * {@code out} by windows of {@code kernel}, window i starts at {@code floor((i + u) alpha) - floor(u alpha)} with
 * {@code alpha = (in - kernel) / (out - 1)} and the plane's sample u in [0, 1), and the last window ends at the last
 * position. The arithmetic is PyTorch's, in the input's precision (float for F32), so that the same samples give the
 * same windows. Each window's positions are listed on the host as a table of flat positions within its plane, which a
 * gather turns into the window's values.
 */
final class FractionalWindows {
    private FractionalWindows() {
    }

    /** The first position of each of the {@code out} windows along one axis, from sample u, in double precision. */
    static int[] starts(double u, int in, int out, int kernel) {
        int[] starts = new int[out];
        double alpha = out > 1 ? (double) (in - kernel) / (out - 1) : 0;
        for (int i = 0; i < out - 1; i++) {
            starts[i] = (int) ((i + u) * alpha) - (int) (u * alpha);
        }
        starts[out - 1] = in - kernel;
        return starts;
    }

    /** As {@link #starts(double, int, int, int)} in float arithmetic, as PyTorch computes them for float32 input. */
    static int[] startsInFloat(float u, int in, int out, int kernel) {
        int[] starts = new int[out];
        float alpha = out > 1 ? (float) (in - kernel) / (float) (out - 1) : 0;
        for (int i = 0; i < out - 1; i++) {
            starts[i] = (int) ((i + u) * alpha) - (int) (u * alpha);
        }
        starts[out - 1] = in - kernel;
        return starts;
    }

    /**
     * For each plane p, each output position q (row-major over {@code out}) and each kernel offset r (row-major over
     * {@code kernel}), the flat position within the plane of the input element that window q reads at offset r:
     * {@code table[(p * outputs + q) * taps + r]}.
     *
     * @param starts {@code starts[p][a]}: plane p's window starts along spatial axis a
     * @param in the plane's size along each spatial axis
     */
    static int[] positions(int[][][] starts, int[] in, int[] out, int[] kernel) {
        int[][] outDigits = digits(out);
        int[][] tapDigits = digits(kernel);
        int[] strides = strides(in);
        int outputs = outDigits.length;
        int taps = tapDigits.length;
        int[] table = new int[starts.length * outputs * taps];
        int k = 0;
        for (int[][] plane : starts) {
            for (int[] q : outDigits) {
                for (int[] r : tapDigits) {
                    int position = 0;
                    for (int a = 0; a < in.length; a++) {
                        position += (plane[a][q[a]] + r[a]) * strides[a];
                    }
                    table[k++] = position;
                }
            }
        }
        return table;
    }

    /** The multi-indices of a row-major walk over {@code sizes}. */
    private static int[][] digits(int[] sizes) {
        int count = 1;
        for (int s : sizes) {
            count *= s;
        }
        int[][] digits = new int[count][sizes.length];
        for (int flat = 0; flat < count; flat++) {
            int rest = flat;
            for (int a = sizes.length - 1; a >= 0; a--) {
                digits[flat][a] = rest % sizes[a];
                rest /= sizes[a];
            }
        }
        return digits;
    }

    private static int[] strides(int[] sizes) {
        int[] strides = new int[sizes.length];
        int stride = 1;
        for (int a = sizes.length - 1; a >= 0; a--) {
            strides[a] = stride;
            stride *= sizes[a];
        }
        return strides;
    }
}
