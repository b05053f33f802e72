package dev.kiln.engine;

/**
 * PyTorch's {@code bincount} and {@code histc}: counts (or weight sums) per bin by one scatter-add into zeros. Both
 * read their input's extent on the host first (the result's length, or histc's range, depends on the values), as
 * PyTorch does; neither records a gradient (PyTorch has none).
 */
final class HistogramOps {
    private HistogramOps() {
    }

    /**
     * How often each value 0, 1, ... occurs in the 1-D integer {@code input} (or the sum of {@code weights} there),
     * over max(max + 1, minLength) bins: I64 counts, or sums of the weights' dtype.
     */
    static Tensor bincount(Tensor input, Tensor weights, int minLength) {
        Checks.open("bincount", input);
        Checks.index("bincount", input);
        if (input.rank() != 1) {
            throw new IllegalArgumentException("bincount: input must be 1-D, got " + input.shape());
        }
        if (minLength < 0) {
            throw new IllegalArgumentException("bincount: minLength must be >= 0, got " + minLength);
        }
        if (weights != null) {
            Checks.open("bincount", weights);
            Checks.floating("bincount", weights);
            Checks.sameBackend("bincount", input, weights);
            if (!weights.shape().equals(input.shape())) {
                throw new IllegalArgumentException("bincount: weights " + weights.shape()
                        + " must have the input's shape " + input.shape());
            }
        }
        long largest = -1;
        for (long v : input.toLongArray()) {
            if (v < 0) {
                throw new IllegalArgumentException("bincount: input holds " + v + "; expected non-negative integers");
            }
            largest = Math.max(largest, v);
        }
        int bins = Checks.dimension("bincount", "the bin count", Math.max(largest + 1, minLength));
        return Composite.untracked(() -> {
            Tensor added = weights != null ? weights.detach() : input.emptyLike(input.shape(), DType.F64).fullLike(1);
            Tensor sums = added.fullLike(0, Shape.of(bins)).scatterAdd(0, input, added);
            return weights == null ? sums.to(DType.I64) : sums;
        });
    }

    /**
     * The histogram of {@code input} in {@code bins} equal bins over [min, max] (the data's extent where both are 0,
     * widened by 1 each way where that is one point), as PyTorch's: bin {@code trunc((x - min) bins / (max - min))}
     * in the input's dtype, max itself in the last bin, values outside left out. Of the input's dtype, [bins]. NaN is
     * left out too, where PyTorch 1.13 counts it in the first bin.
     */
    static Tensor histc(Tensor input, int bins, double min, double max) {
        Checks.open("histc", input);
        Checks.floating("histc", input);
        if (bins < 1) {
            throw new IllegalArgumentException("histc: bins must be >= 1, got " + bins);
        }
        if (!(min <= max) || Double.isInfinite(min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("histc: expected finite min <= max, got min " + min + " and max " + max);
        }
        double[] range = range(input, min, max);
        double left = range[0];
        double right = range[1];
        return Composite.untracked(() -> {
            Tensor inside = input.ge(left).mul(input.le(right));
            Tensor scaled = input.sub(left).mul(bins).div(ElementwiseOps.scalarLike(input, right - left));
            Tensor bin = Tensor.where(inside, scaled.trunc().clampMax(bins - 1), input.fullLike(0)).to(DType.I64);
            return input.fullLike(0, Shape.of(bins)).scatterAdd(0, bin.reshape((int) input.size()),
                    inside.reshape((int) input.size()));
        });
    }

    /**
     * [min, max]: the data's extent where both are 0 (which must be finite: no NaN or infinity), widened by 1 each way
     * where it is one point.
     */
    private static double[] range(Tensor input, double min, double max) {
        double left = min;
        double right = max;
        if (min == 0 && max == 0 && input.size() > 0) {
            left = Double.POSITIVE_INFINITY;
            right = Double.NEGATIVE_INFINITY;
            for (double v : input.toDoubleArray()) {
                left = Math.min(left, v);
                right = Math.max(right, v);
            }
            if (!Double.isFinite(left) || !Double.isFinite(right)) {
                throw new IllegalArgumentException("histc: the range of " + input.shape() + " is not finite: ["
                        + left + ", " + right + "]; give min and max");
            }
        }
        if (left == right) {
            left -= 1;
            right += 1;
        }
        return new double[] {left, right};
    }
}
