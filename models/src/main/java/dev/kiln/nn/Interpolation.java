package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Upsampling along one axis by an integer factor with PyTorch's source positions: nearest by
 * {@link Tensor#indexSelect} (whose gradient adds back into the input), linear as the matrix that
 * {@link SeparableMaps} applies to rows and columns. {@link Upsample} uses both.
 */
final class Interpolation {
    private Interpolation() {
    }

    /** Output position o takes input position {@code floor(o / scale)}: PyTorch's {@code mode='nearest'}. */
    static Tensor nearest(Tensor x, int axis, int scale) {
        long[] source = new long[x.dim(axis) * scale];
        for (int o = 0; o < source.length; o++) {
            source[o] = o / scale;
        }
        return x.indexSelect(axis, Tensor.fromArray(source, source.length));
    }

    /**
     * [in * scale, in]: output position o is the linear interpolation between the two input positions around
     * PyTorch's source position: {@code o (in - 1) / (out - 1)} with {@code alignCorners} (the corner pixels' centres
     * line up), else {@code (o + 0.5) / scale - 0.5} clamped at 0 (the corner pixels' edges line up), as in
     * {@code mode='bilinear'}.
     */
    static double[][] linear(int in, int scale, boolean alignCorners) {
        int out = in * scale;
        double[][] m = new double[out][in];
        for (int o = 0; o < out; o++) {
            double source = alignCorners
                    ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0)
                    : Math.max((o + 0.5) / scale - 0.5, 0);
            int below = Math.min((int) source, in - 1);
            double upperWeight = source - below;
            m[o][below] += 1 - upperWeight;
            m[o][Math.min(below + 1, in - 1)] += upperWeight;
        }
        return m;
    }
}
