package dev.kiln.engine;

/**
 * PyTorch 1.13's {@code quantile} and {@code nanquantile}, composed as its own are: the input sorted along the axis
 * (NaN last), the rank {@code q (n - 1)} (of the non-NaN count with nanquantile, 0 where all are NaN; n - 1, a NaN's
 * place, where quantile meets a NaN), adjusted by the interpolation, the elements below and above it gathered and, for
 * linear and midpoint, blended by {@link Tensor#lerp(Tensor, Tensor)}. Recorded op by op, so the gradient is
 * PyTorch's: through the blend's weights to the two elements, and back through the sort to where they were.
 */
final class QuantileOps {
    private QuantileOps() {
    }

    /** The quantile along {@code axis}, or of all elements, a scalar, when axis is null. */
    static Tensor quantile(String op, Tensor x, double q, Integer axis, boolean keepDim, QuantileInterpolation mode,
                           boolean ignoreNan) {
        Checks.open(op, x);
        Checks.floating(op, x);
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException(op + ": q must be in [0, 1], got " + q);
        }
        if (mode == null) {
            throw new IllegalArgumentException(op + ": interpolation is null; expected one of "
                    + java.util.Arrays.toString(QuantileInterpolation.values()));
        }
        Tensor input = axis == null ? x.reshape((int) x.size()) : x;
        int a = axis == null ? 0 : Axes.axis(op, x.shape(), axis);
        int n = input.dim(a);
        if (n == 0) {
            throw new IllegalArgumentException(op + ": the input " + x.shape() + " is empty along "
                    + (axis == null ? "its elements" : "axis " + a) + "; expected at least one element");
        }
        Tensor sorted = input.sort(a, false).values();
        Tensor nans = Composite.untracked(() -> input.isnan().sum(a, true));
        Tensor ranks = Composite.untracked(() -> adjusted(ranks(nans, q, n, ignoreNan), mode));
        Tensor below = Composite.untracked(() -> ranks.to(DType.I64));
        Tensor result = sorted.gather(a, below);
        if (mode == QuantileInterpolation.LINEAR || mode == QuantileInterpolation.MIDPOINT) {
            Tensor weights = Composite.untracked(() -> mode == QuantileInterpolation.MIDPOINT
                    ? ranks.fullLike(0.5) : ranks.sub(below.to(ranks.dtype())));
            Tensor above = Composite.untracked(() -> ranks.ceil().to(DType.I64));
            result = result.lerp(sorted.gather(a, above), weights);
        }
        if (axis == null) {
            return result.reshape();
        }
        return keepDim ? result : result.squeeze(a);
    }

    /**
     * The rank q (n - 1), one per slice (nans' shape), multiplied in the input's dtype with q rounded to it, as
     * PyTorch's: of the non-NaN count, 0 at least, with {@code ignoreNan}; else n - 1 where the slice holds a NaN.
     */
    private static Tensor ranks(Tensor nans, double q, int n, boolean ignoreNan) {
        Tensor quantile = ElementwiseOps.scalarLike(nans, q);
        if (ignoreNan) {
            Tensor ranks = quantile.mul(ElementwiseOps.affine(nans, -1, n - 1));
            return ranks.maskedFill(ranks.lt(0), 0);
        }
        return Tensor.where(nans.gt(0), nans.fullLike(n - 1), nans.fullLike(0).add(quantile.mul(n - 1)));
    }

    private static Tensor adjusted(Tensor ranks, QuantileInterpolation mode) {
        return switch (mode) {
            case LOWER -> ranks.floor();
            case HIGHER -> ranks.ceil();
            case NEAREST -> ranks.round();
            case LINEAR, MIDPOINT -> ranks;
        };
    }
}
