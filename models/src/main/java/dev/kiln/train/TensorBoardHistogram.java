package dev.kiln.train;

/**
 * A histogram as TensorBoard's {@code HistogramProto} holds it, bucketed as PyTorch's
 * {@code SummaryWriter.add_histogram} does with its default {@code bins='tensorflow'}: the edges 0 and +-1e-12
 * times powers of 1.1 below 1e20, each bucket counting the values from its left edge up to (not including) its right
 * edge, and only the buckets from the first to the last non-empty one kept, plus an empty one before them, since
 * TensorBoard keeps right edges only.
 *
 * @param bucketLimit each kept bucket's right edge, ascending
 * @param bucket      each kept bucket's count, as a double (the proto's type)
 */
record TensorBoardHistogram(double min, double max, double num, double sum, double sumSquares, double[] bucketLimit,
                            double[] bucket) {
    /** PyTorch's default edges: -1e20 &lt; ... &lt; -1e-12 &lt; 0 &lt; 1e-12 &lt; ... &lt; 1e20. */
    private static final double[] EDGES = defaultEdges();

    private static double[] defaultEdges() {
        int positive = 0;
        for (double v = 1e-12; v < 1e20; v *= 1.1) {
            positive++;
        }
        double[] edges = new double[2 * positive + 1];
        int i = 0;
        // The same products as PyTorch's loop, so that each edge is the same double.
        for (double v = 1e-12; v < 1e20; v *= 1.1, i++) {
            edges[positive + 1 + i] = v;
            edges[positive - 1 - i] = -v;
        }
        return edges;
    }

    /**
     * The histogram of {@code values}.
     *
     * @throws IllegalArgumentException when {@code values} is empty, holds NaN or an infinity, or lies wholly beyond
     *     the edges (|v| &gt; 1e20), naming {@code tag}
     */
    static TensorBoardHistogram of(String tag, double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("histogram '" + tag + "': no values");
        }
        long[] counts = new long[EDGES.length - 1];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sumSquares = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("histogram '" + tag + "': values must be finite, got " + v);
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSquares += v * v;
            int bin = bin(v);
            if (bin >= 0) {
                counts[bin]++;
            }
        }
        int first = 0;
        while (first < counts.length && counts[first] == 0) {
            first++;
        }
        if (first == counts.length) {
            throw new IllegalArgumentException("histogram '" + tag + "': every value lies beyond +-" + EDGES[EDGES.length - 1]
                    + ", the last bucket edge");
        }
        int last = counts.length - 1;
        while (counts[last] == 0) {
            last--;
        }
        // The bucket before the first non-empty one (empty, or a zero in front of the first bin) gives its left edge.
        int kept = last - first + 2;
        double[] limits = new double[kept];
        double[] keptCounts = new double[kept];
        for (int k = 0; k < kept; k++) {
            int b = first - 1 + k;
            limits[k] = EDGES[b + 1];
            keptCounts[k] = b < 0 ? 0 : counts[b];
        }
        return new TensorBoardHistogram(min, max, values.length, sum, sumSquares, limits, keptCounts);
    }

    /**
     * A histogram as given, PyTorch's {@code add_histogram_raw}.
     *
     * @throws IllegalArgumentException when the buckets are empty, their arrays' lengths differ or the limits are not
     *     ascending, naming {@code tag}
     */
    static TensorBoardHistogram raw(String tag, double min, double max, double num, double sum, double sumSquares,
                                    double[] bucketLimits, double[] bucketCounts) {
        if (bucketLimits.length != bucketCounts.length) {
            throw new IllegalArgumentException("histogram '" + tag + "': " + bucketLimits.length + " bucket limits and "
                    + bucketCounts.length + " bucket counts, must be as many");
        }
        if (bucketLimits.length == 0) {
            throw new IllegalArgumentException("histogram '" + tag + "': no buckets");
        }
        for (int i = 1; i < bucketLimits.length; i++) {
            if (!(bucketLimits[i] > bucketLimits[i - 1])) {
                throw new IllegalArgumentException("histogram '" + tag + "': bucket limits must be ascending, got "
                        + bucketLimits[i - 1] + " then " + bucketLimits[i] + " at " + i);
            }
        }
        return new TensorBoardHistogram(min, max, num, sum, sumSquares, bucketLimits.clone(), bucketCounts.clone());
    }

    /**
     * The bin of {@code v}, NumPy's: the last i with edge i &lt;= v, the top edge in the last bin; -1 beyond the
     * edges. Compared with {@code <=}, not {@link Double#compare}, so that -0.0 falls into [0, 1e-12) as in NumPy.
     */
    private static int bin(double v) {
        int top = EDGES.length - 1;
        if (v < EDGES[0] || v > EDGES[top]) {
            return -1;
        }
        if (v == EDGES[top]) {
            return top - 1;
        }
        int lo = 0;
        int hi = top;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (EDGES[mid] <= v) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
