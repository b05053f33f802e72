package dev.kiln.engine;

/**
 * PyTorch's {@code clamp}, {@code clamp_min} and {@code clamp_max}, composed of comparisons and {@code where}: the
 * lower bound applied first and the upper one to its result, so that a lower bound above the upper one gives the
 * upper one everywhere, and NaN, which no comparison holds for, stays NaN. The gradient is PyTorch's
 * {@code clamp_backward}: the output's gradient where {@code min <= x <= max} (bounds included), else 0, also at NaN.
 */
final class ClampOps {
    private ClampOps() {
    }

    /** {@code x} clamped below by {@code min} and above by {@code max}; a null bound is none. */
    static Tensor clamp(String op, Tensor x, Double min, Double max) {
        Checks.open(op, x);
        checkBound(op, "min", x, min);
        checkBound(op, "max", x, max);
        return Composite.op(op, x, () -> {
            Tensor y = x;
            if (min != null) {
                y = replaceBeyond(BinaryOp.LT, y, min);
            }
            if (max != null) {
                y = replaceBeyond(BinaryOp.GT, y, max);
            }
            return y;
        }, (out, g) -> {
            Tensor zero = ElementwiseOps.scalarLike(g, 0);
            Tensor kept = g;
            if (min != null) {
                kept = Tensor.where(ElementwiseOps.compareScalar(BinaryOp.GE, x, min), kept, zero);
            }
            if (max != null) {
                kept = Tensor.where(ElementwiseOps.compareScalar(BinaryOp.LE, x, max), kept, zero);
            }
            return kept;
        });
    }

    /** {@code y} with {@code bound} wherever {@code y compare bound} holds. */
    private static Tensor replaceBeyond(BinaryOp compare, Tensor y, double bound) {
        return Tensor.where(ElementwiseOps.compareScalar(compare, y, bound), ElementwiseOps.scalarLike(y, bound), y);
    }

    /**
     * PyTorch 1.13 answers a NaN bound differently by the overload (x unchanged for one bound, NaN everywhere for
     * two), so it is refused; an integer tensor keeps its dtype only with whole bounds (PyTorch would promote).
     */
    private static void checkBound(String op, String name, Tensor x, Double bound) {
        if (bound == null) {
            return;
        }
        if (Double.isNaN(bound)) {
            throw new IllegalArgumentException(op + ": " + name + " is NaN, for tensor " + x.shape() + " " + x.dtype());
        }
        if (!x.dtype().isFloating() && !Double.isInfinite(bound) && bound != Math.rint(bound)) {
            throw new IllegalArgumentException(op + ": " + name + " " + bound + " is not a whole number, for "
                    + x.dtype() + " tensor " + x.shape() + "; convert the tensor with to(DType.F32) or to(DType.F64)"
                    + " to clamp it by a fraction");
        }
    }
}
