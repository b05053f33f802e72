package dev.kiln.engine;

/**
 * PyTorch's {@code histogram}: counts (or weight sums) of the elements in bins given by their edges, each bin holding
 * its left edge and the last also its right one; elements outside the edges left out. NaN is counted where PyTorch
 * 1.13's CPU kernel counts it: with bins of a range in bin 1 (bin 0 when there is one), where its linear estimate from
 * NaN cast to an integer and its local search land; with given edges in the last bin, where its binary search ends. A
 * range from the data is refused when the data hold NaN, as PyTorch's. Each element's bin is
 * the count of edges at or below it (a binary search, which is where PyTorch's linear estimate with its local search
 * lands too), the sums one scatter-add. Equal bins over a range take the edges of {@link F#linspace}, PyTorch's;
 * a range of one point is widened by 0.5 each way. With {@code density} the counts are divided by their sum and by the
 * bins' widths. No gradient, as PyTorch has none; the range of the data is read on the host.
 */
final class HistogramBinsOps {
    private HistogramBinsOps() {
    }

    /** {@code bins} equal bins over [min, max], or over the data's extent where {@code dataRange}. */
    static Histogram histogram(Tensor x, int bins, double min, double max, boolean dataRange, Tensor weights,
                               boolean density) {
        check(x, weights);
        if (bins < 1) {
            throw new IllegalArgumentException("histogram: bins must be >= 1, got " + bins);
        }
        double left = min;
        double right = max;
        if (dataRange) {
            double[] extent = extent(x);
            left = extent[0];
            right = extent[1];
        }
        if (!(left <= right) || Double.isInfinite(left) || Double.isInfinite(right)) {
            throw new IllegalArgumentException("histogram: expected a finite range with min <= max, got [" + left
                    + ", " + right + "]");
        }
        if (left == right) {
            left -= 0.5;
            right += 0.5;
        }
        Tensor edges = SpacingOps.linspace(left, right, bins + 1, x.dtype()).to(x.backend());
        return new Histogram(counts(x, edges, weights, density, Math.min(1, bins - 1)), edges);
    }

    /** Bins between consecutive {@code edges} (1-D, non-decreasing, of x's dtype). */
    static Histogram histogram(Tensor x, Tensor edges, Tensor weights, boolean density) {
        check(x, weights);
        Checks.compatible("histogram", x, edges);
        if (edges.rank() != 1 || edges.size() < 2) {
            throw new IllegalArgumentException("histogram: edges must be 1-D with at least 2 elements, got "
                    + edges.shape());
        }
        Tensor copied = Composite.untracked(edges::clone);
        return new Histogram(counts(x, copied, weights, density, (int) edges.size() - 2), copied);
    }

    private static void check(Tensor x, Tensor weights) {
        Checks.open("histogram", x);
        Checks.floating("histogram", x);
        if (weights != null) {
            Checks.compatible("histogram", x, weights);
            if (!weights.shape().equals(x.shape())) {
                throw new IllegalArgumentException("histogram: weights " + weights.shape()
                        + " must have the input's shape " + x.shape());
            }
        }
    }

    /**
     * The smallest and largest element ([0, 1] for no elements, PyTorch's and NumPy's default); NaN or infinities make
     * a range that is refused.
     */
    private static double[] extent(Tensor x) {
        if (x.size() == 0) {
            return new double[] {0, 1};
        }
        double left = Double.POSITIVE_INFINITY;
        double right = Double.NEGATIVE_INFINITY;
        for (double v : x.toDoubleArray()) {
            if (Double.isNaN(v)) {
                return new double[] {v, v};
            }
            left = Math.min(left, v);
            right = Math.max(right, v);
        }
        return new double[] {left, right};
    }

    /** The histogram over {@code edges}, with NaN counted in {@code nanBin}. */
    private static Tensor counts(Tensor x, Tensor edges, Tensor weights, boolean density, int nanBin) {
        int bins = (int) edges.size() - 1;
        double[] at = edges.toDoubleArray();
        double first = at[0];
        double last = at[bins];
        return Composite.untracked(() -> {
            Tensor flat = x.reshape((int) x.size());
            Tensor nan = flat.isnan();
            Tensor inside = flat.ge(first).mul(flat.le(last)).add(nan);
            Tensor atOrBelow = Tensor.searchsorted(edges, flat, true);
            Tensor bin = Tensor.where(nan, atOrBelow.fullLike(nanBin + 1), atOrBelow);
            bin = ElementwiseOps.integerArithmetic(BinaryOp.SUB, bin, bin.fullLike(1, Shape.of())).clamp(0, bins - 1);
            Tensor added = weights == null ? inside : weights.detach().reshape((int) x.size()).mul(inside);
            Tensor hist = flat.fullLike(0, Shape.of(bins)).scatterAdd(0, bin, added);
            return density ? hist.div(hist.sum()).div(edges.diff(0)) : hist;
        });
    }
}
