package dev.kiln.engine;

import java.util.function.BiFunction;

/**
 * PyTorch's {@code amax} and {@code amin}: the maximum (minimum) over several axes, one axis after another, NaN where a
 * slice holds one. Unlike {@code max(axis)}, whose gradient goes to one element, the gradient is split evenly among
 * the elements equal to the result (among the NaNs, when it is NaN, as Kiln's {@code max()} of all elements; PyTorch's
 * amax gives such a slice NaN gradients), composed of ops so that it can be differentiated again. Integer tensors
 * (no gradient) take their extremes by argmax/argmin and gather, exact in the input's dtype (I64 beyond 2^53).
 */
final class ExtremeOverAxesOps {
    private ExtremeOverAxesOps() {
    }

    static Tensor amax(Tensor x, int[] axes, boolean keepDim) {
        return extreme("amax", x, axes, keepDim, (t, a) -> t.dtype().isFloating() ? t.max(a, true)
                : t.gather(a, t.argmax(a, true)));
    }

    static Tensor amin(Tensor x, int[] axes, boolean keepDim) {
        return extreme("amin", x, axes, keepDim, (t, a) -> t.dtype().isFloating() ? t.min(a, true)
                : t.gather(a, t.argmin(a, true)));
    }

    /** {@code reduce} applied over each of {@code axes} (none: all axes) in turn, with the even gradient split. */
    private static Tensor extreme(String op, Tensor x, int[] axes, boolean keepDim,
            BiFunction<Tensor, Integer, Tensor> reduce) {
        Checks.open(op, x);
        int[] a = axes.length == 0 ? java.util.stream.IntStream.range(0, x.rank()).toArray()
                : Axes.distinct(op, x.shape(), axes);
        Shape kept = Axes.kept(x.shape(), a);
        Shape reduced = Axes.reduced(x.shape(), a, keepDim);
        return Composite.op(op, x, () -> {
            Tensor m = x;
            for (int axis : a) {
                m = reduce.apply(m, axis);
            }
            return m.reshape(reduced.dims());
        }, (out, g) -> {
            Tensor extremes = out.reshape(kept.dims());
            Tensor ties = x.eq(extremes).add(x.ne(x).mul(extremes.ne(extremes)));
            return ties.mul(g.reshape(kept.dims()).div(Axes.sum(ties, a)));
        });
    }
}
