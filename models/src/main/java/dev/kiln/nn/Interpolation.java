package dev.kiln.nn;

import static dev.kiln.nn.Module.releaseConsumed;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Upsampling along one axis by an integer factor with PyTorch's source positions, built from
 * {@link Tensor#indexSelect} (whose gradient adds back into the input) and products with per-position weights:
 * {@link Upsample} applies it to the height and then the width.
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
     * Output position o is the linear interpolation between the two input positions around PyTorch's source
     * position: {@code o (in - 1) / (out - 1)} with {@code alignCorners} (the corner pixels' centres line up),
     * else {@code (o + 0.5) / scale - 0.5} clamped at 0 (the corner pixels' edges line up), as in
     * {@code mode='bilinear'}.
     */
    static Tensor linear(Tensor x, int axis, int scale, boolean alignCorners) {
        int in = x.dim(axis);
        int out = in * scale;
        long[] lower = new long[out];
        long[] upper = new long[out];
        double[] lowerWeight = new double[out];
        double[] upperWeight = new double[out];
        for (int o = 0; o < out; o++) {
            double source = alignCorners
                    ? (out > 1 ? o * (double) (in - 1) / (out - 1) : 0)
                    : Math.max((o + 0.5) / scale - 0.5, 0);
            int below = Math.min((int) source, in - 1);
            lower[o] = below;
            upper[o] = Math.min(below + 1, in - 1);
            upperWeight[o] = source - below;
            lowerWeight[o] = 1 - upperWeight[o];
        }
        Tensor fromLower = weighted(x, axis, lower, lowerWeight);
        Tensor fromUpper = weighted(x, axis, upper, upperWeight);
        Tensor y = fromLower.add(fromUpper);
        releaseConsumed(fromLower, y);
        releaseConsumed(fromUpper, y);
        return y;
    }

    /** x's slices {@code index[o]} along {@code axis}, each times {@code weight[o]}. */
    private static Tensor weighted(Tensor x, int axis, long[] index, double[] weight) {
        int[] alongAxis = new int[x.rank()];
        Arrays.fill(alongAxis, 1);
        alongAxis[axis] = index.length;
        Tensor selected = x.indexSelect(axis, Tensor.fromArray(index, index.length));
        Tensor y = selected.mul(Tensor.fromArray(weight, alongAxis).to(x.dtype()));
        releaseConsumed(selected, y);
        return y;
    }
}
