package dev.kiln.engine;

import java.util.Arrays;

/**
 * Variance and standard deviation over axes, as PyTorch's {@code var} and {@code std}: the sum of squared deviations
 * from the mean divided by {@code n - correction} (1: unbiased, PyTorch's default; 0: biased), n the number of
 * elements each result takes in. Two passes (the mean, then the deviations) in the tensor's dtype. With
 * {@code correction == n} the division is by 0, giving NaN or infinity as in PyTorch.
 */
final class VarianceOps {
    private VarianceOps() {
    }

    static Tensor var(Tensor x, int[] axes, int correction, boolean keepDim) {
        Reduced r = Reduced.of("var", x, axes, correction);
        return Composite.op("var", x, () -> r.output(variance(x, r), keepDim), (out, g) -> r.varianceGradient(x, g));
    }

    static Tensor varAll(Tensor x) {
        return Tensor.consume(x.reshape(-1), x, flat -> var(flat, new int[] {0}, 1, false));
    }

    /**
     * The square root of {@link #var}, whose gradient is 0 where it is 0 (a constant slice), as PyTorch's
     * {@code std_backward}, rather than the NaN of 0 / 0.
     */
    static Tensor std(Tensor x, int[] axes, int correction, boolean keepDim) {
        Reduced r = Reduced.of("std", x, axes, correction);
        return Composite.op("std", x, () -> r.output(variance(x, r).sqrt(), keepDim), (out, g) -> {
            Tensor std = r.keptShape(out);
            Tensor gVar = Tensor.where(std.eq(0), ElementwiseOps.scalarLike(g, 0), r.keptShape(g).div(std.mul(2)));
            return r.varianceGradient(x, gVar);
        });
    }

    static Tensor stdAll(Tensor x) {
        return Tensor.consume(x.reshape(-1), x, flat -> std(flat, new int[] {0}, 1, false));
    }

    /** The variance over r's axes, kept as size 1. */
    private static Tensor variance(Tensor x, Reduced r) {
        return Axes.sum(x.sub(r.mean(x)).square(), r.axes).div(r.degreesOfFreedom);
    }

    /** The axes of one reduction and its divisor. */
    private record Reduced(int[] axes, Shape kept, Shape reduced, long degreesOfFreedom, long count) {
        static Reduced of(String op, Tensor x, int[] axes, int correction) {
            Checks.open(op, x);
            Checks.floating(op, x);
            int[] a = Axes.of(op, x.shape(), axes);
            long n = Axes.count(x.shape(), a);
            if (correction < 0 || correction > n) {
                throw new IllegalArgumentException(op + ": correction " + correction + " is outside [0, " + n
                        + "], the " + n + " elements each result of " + x.shape() + " over axes "
                        + Arrays.toString(axes) + " takes in");
            }
            return new Reduced(a, Axes.kept(x.shape(), a), Axes.reduced(x.shape(), a, false), n - correction, n);
        }

        Tensor mean(Tensor x) {
            return Axes.sum(x, axes).div(count);
        }

        /** {@code kept}, the result with the axes as size 1, as the op's output. */
        Tensor output(Tensor kept, boolean keepDim) {
            return keepDim ? kept : kept.reshape(reduced.dims());
        }

        /** {@code t} (the output or its gradient) with the axes as size 1. */
        Tensor keptShape(Tensor t) {
            return t.reshape(kept.dims());
        }

        /** PyTorch's {@code var_backward}: {@code (2 / (n - correction)) * gVar * (x - mean)}, gVar kept or not. */
        Tensor varianceGradient(Tensor x, Tensor gVar) {
            return x.sub(mean(x)).mul(keptShape(gVar)).mul(2.0 / degreesOfFreedom);
        }
    }
}
