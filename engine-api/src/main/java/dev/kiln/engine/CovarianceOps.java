package dev.kiln.engine;

/**
 * PyTorch's {@code cov} and {@code corrcoef} of variables in rows and observations in columns, composed of Tensor
 * ops as PyTorch composes them (so their gradients are PyTorch's, to any order): the weighted mean of each row, the
 * product of the centred rows with their weighted transpose, divided by the degrees of freedom
 * {@code sum(w) - correction} ({@code sum(w) - correction sum(w a) / sum(w)} with observation weights a), or by 0 where
 * these are not positive (infinity or NaN, where PyTorch also warns).
 */
final class CovarianceOps {
    private CovarianceOps() {
    }

    /**
     * The covariance of [V, N] (or [N], one variable): [V, V], a scalar for one variable. {@code fweights} (I32 or I64,
     * [N], counts) and {@code aweights} ([N], of the input's dtype) may be null.
     */
    static Tensor cov(Tensor x, int correction, Tensor fweights, Tensor aweights) {
        String op = "cov";
        Checks.open(op, x);
        Checks.floating(op, x);
        if (x.rank() > 2) {
            throw new IllegalArgumentException("cov: input must have 2 or fewer dimensions [variables, observations], "
                    + "got " + x.shape());
        }
        int n = x.rank() < 2 ? (int) x.size() : x.dim(1);
        checkWeights("fweights", x, fweights, n);
        checkWeights("aweights", x, aweights, n);
        // The weights' [n] views and the counts' copy in x's dtype are steps, freed with the others without a graph.
        return Composite.composed(() -> covariance(x.rank() < 2 ? x.reshape(1, n) : x, correction,
                fweights == null ? null : fweights.reshape(n).to(x.dtype()),
                aweights == null ? null : aweights.reshape(n)), x, aweights);
    }

    /** The covariance of the rows of [V, N] with the checked weights (either may be null). */
    private static Tensor covariance(Tensor in, int correction, Tensor frequencies, Tensor importance) {
        int n = in.dim(1);
        Tensor w = frequencies == null ? importance : importance == null ? frequencies : frequencies.mul(importance);
        Tensor centred;
        Tensor degrees;
        if (w == null) {
            centred = in.sub(in.mean(1, true));
            degrees = in.fullLike(Math.max(0, n - correction), Shape.of());
        } else {
            Tensor total = w.sum();
            if (total.item() == 0) {
                throw new IllegalArgumentException("cov: the weights of " + n + " observations sum to 0; they "
                        + "cannot normalise the mean");
            }
            centred = in.sub(in.mul(w).sum(1, true).div(total));
            Tensor free = importance != null && correction != 0
                    ? total.sub(w.mul(importance).sum().mul(correction).div(total)) : total.sub(correction);
            degrees = free.maskedFill(free.le(0), 0);
        }
        Tensor product = centred.matmul((w == null ? centred : centred.mul(w)).t()).div(degrees);
        return product.dim(0) == 1 ? product.reshape() : product;
    }

    /** The correlation coefficients of [V, N]: cov scaled by the standard deviations, clamped to [-1, 1]. */
    static Tensor corrcoef(Tensor x) {
        Checks.open("corrcoef", x);
        Checks.floating("corrcoef", x);
        if (x.rank() > 2) {
            throw new IllegalArgumentException("corrcoef: input must have 2 or fewer dimensions [variables, "
                    + "observations], got " + x.shape());
        }
        return Composite.composed(() -> {
            Tensor c = cov(x, 1, null, null);
            if (c.rank() == 0) {
                return c.div(c);
            }
            Tensor deviations = c.diagonal(0, 0, 1).sqrt();
            return c.div(deviations.reshape(-1, 1)).div(deviations.reshape(1, -1)).clamp(-1, 1);
        }, x);
    }

    /** Null, or 0-D or 1-D weights of n elements, none negative: counts I32 or I64, the others of x's dtype. */
    private static void checkWeights(String name, Tensor x, Tensor weights, int n) {
        if (weights == null) {
            return;
        }
        Checks.open("cov", weights);
        Checks.sameBackend("cov", x, weights);
        boolean counts = name.equals("fweights");
        if (counts ? weights.dtype().isFloating() : weights.dtype() != x.dtype()) {
            throw new IllegalArgumentException("cov: " + name + " must be " + (counts ? "I32 or I64" : x.dtype()
                    + " as the input") + ", got " + weights.dtype());
        }
        if (weights.rank() > 1 || weights.size() != n) {
            throw new IllegalArgumentException("cov: " + name + " must have one element per observation, [" + n
                    + "], got " + weights.shape());
        }
        for (double v : weights.toDoubleArray()) {
            if (v < 0) {
                throw new IllegalArgumentException("cov: " + name + " cannot be negative, got " + v);
            }
        }
    }
}
