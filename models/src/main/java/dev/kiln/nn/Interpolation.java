package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Resampling along one axis with PyTorch's source positions, to an integer multiple of the input's size or to any
 * size: nearest by {@link Tensor#indexSelect} (whose gradient adds back into the input), linear as the matrix that
 * {@link SeparableMaps} applies to rows and columns. {@link Upsample} uses both.
 */
final class Interpolation {
    private Interpolation() {
    }

    /**
     * {@code out} positions along {@code axis}, position o taking input position {@code floor(o * in / out)} with the
     * ratio and product in float, as PyTorch's {@code mode='nearest'} computes them (an integer factor s gives
     * {@code floor(o / s)}).
     */
    static Tensor nearest(Tensor x, int axis, int out) {
        int in = x.dim(axis);
        float scale = (float) in / out;
        long[] source = new long[out];
        for (int o = 0; o < out; o++) {
            source[o] = Math.min((long) Math.floor((float) o * scale), in - 1);
        }
        return x.indexSelect(axis, Tensor.fromArray(source, source.length).to(x.backend()));
    }

    /**
     * [out, in]: output position o is the linear interpolation between the two input positions around PyTorch's
     * source position: {@code o (in - 1) / (out - 1)} with {@code alignCorners} (the corner pixels' centres line up),
     * else {@code (o + 0.5) in / out - 0.5} clamped at 0 (the corner pixels' edges line up), as in
     * {@code mode='bilinear'}.
     */
    static double[][] linear(int in, int out, boolean alignCorners) {
        double[][] m = new double[out][in];
        for (int o = 0; o < out; o++) {
            double source = alignCorners
                    ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0)
                    : Math.max((o + 0.5) * in / out - 0.5, 0);
            int below = Math.min((int) source, in - 1);
            double upperWeight = source - below;
            m[o][below] += 1 - upperWeight;
            m[o][Math.min(below + 1, in - 1)] += upperWeight;
        }
        return m;
    }
}
