package dev.kiln.engine;

import java.util.function.UnaryOperator;

/** Sums, means, maxima and minima over an axis or over everything, with their gradients. */
final class ReductionOps {
    private ReductionOps() {
    }

    static Tensor sum(Tensor x, int axis, boolean keepDim) {
        Checks.open("sum", x);
        if (x.rank() == 0) {
            requireScalarAxis("sum", axis);
            return sumAll(x);
        }
        int a = x.shape().axis(axis);
        if (!x.dtype().isFloating()) {
            return integerSum(x, a, keepDim);
        }
        Tensor out = x.emptyLike(reducedShape(x.shape(), a, keepDim), x.dtype());
        x.backend().reduce(ReduceOp.SUM, x, a, out);
        Shape source = x.shape();
        out.record("sum", new Tensor[] {x}, Node.differentiable(
                g -> new Tensor[] {Tensor.consume(g.reshape(source.with(a, 1).dims()), g, t -> t.expand(source.dims()))}));
        return out;
    }

    static Tensor sumAll(Tensor x) {
        return Tensor.consume(x.reshape(-1), x, flat -> sum(flat, 0, false));
    }

    /**
     * As PyTorch's sum of integers: I64 from I32 or I64, exact and wrapping past 2^63, without a gradient; the last of
     * the running sums ({@link CumsumOps}, exact for integers), 0 over an empty axis.
     */
    private static Tensor integerSum(Tensor x, int a, boolean keepDim) {
        Shape reduced = reducedShape(x.shape(), a, keepDim);
        int n = x.dim(a);
        return Composite.untracked(() -> {
            if (n == 0) {
                Tensor zero = x.emptyLike(reduced, DType.I64);
                x.backend().fill(zero, 0);
                return zero;
            }
            return x.cumsum(a).narrow(a, n - 1, 1).reshape(reduced.dims()).copy();
        });
    }

    static Tensor mean(Tensor x, int axis, boolean keepDim) {
        Checks.open("mean", x);
        Checks.floating("mean", x);
        if (x.rank() == 0) {
            requireScalarAxis("mean", axis);
            return meanAll(x);
        }
        int n = x.dim(axis);
        return Tensor.consume(sum(x, axis, keepDim), x, sum -> sum.div(n));
    }

    static Tensor meanAll(Tensor x) {
        Checks.open("mean", x);
        Checks.floating("mean", x);
        return Tensor.consume(sumAll(x), x, sum -> sum.div(x.size()));
    }

    /**
     * The maximum of all elements; its gradient is shared out as {@link #extremeOfAll} says. Of integers (I32, I64)
     * exact in their dtype and without a gradient, as PyTorch's {@code y.max()} of class indices.
     */
    static Tensor maxAll(Tensor x) {
        requireElements("max", x);
        if (!x.dtype().isFloating()) {
            return x.amax(new int[0], false);
        }
        return extremeOfAll("max", x, flat -> max(flat, 0, false));
    }

    /**
     * The extreme {@code reduce} finds among all of x's elements, a scalar, whose gradient is split evenly among the
     * elements equal to it (among the NaNs, when it is NaN), as PyTorch's {@code max()} and {@code min()} of all
     * elements do; the forms over an axis send it to one element, as PyTorch's do.
     */
    private static Tensor extremeOfAll(String op, Tensor x, UnaryOperator<Tensor> reduce) {
        Tensor out;
        try (Autograd.Guard g = Autograd.noGrad()) {
            out = Tensor.consume(x.reshape(-1), x, reduce);
        }
        out.record(op, new Tensor[] {x}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                Tensor ties = tiesWith(x, out);
                return new Tensor[] {ties.mul(g.div(ties.sum()))};
            }
            try (Tensor ties = tiesWith(x, out); Tensor count = ties.sum(); Tensor share = g.div(count)) {
                return new Tensor[] {ties.mul(share)};
            }
        }));
        return out;
    }

    /** 1 where x equals the scalar extreme or both are NaN, else 0; on the device, without reading the extreme. */
    private static Tensor tiesWith(Tensor x, Tensor extreme) {
        try (Tensor equal = x.eq(extreme); Tensor nanInX = x.ne(x); Tensor nanExtreme = extreme.ne(extreme);
             Tensor nanTies = nanInX.mul(nanExtreme)) {
            return equal.add(nanTies);
        }
    }

    static Tensor max(Tensor x, int axis, boolean keepDim) {
        Checks.open("max", x);
        Checks.floating("max", x);
        int a = x.shape().axis(axis);
        requireNonEmpty("max", x, a);
        Shape kept = reducedShape(x.shape(), a, true);
        Tensor out = x.emptyLike(kept, x.dtype());
        x.backend().reduce(ReduceOp.MAX, x, a, out);
        Shape source = x.shape();
        out.record("max", new Tensor[] {x}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {scatteredTo(x, a, argmax(x, a, true), g.reshape(kept.dims()))};
            }
            Tensor index = x.emptyLike(kept, DType.I64);
            x.backend().argmax(x, a, index);
            Tensor gx = x.emptyLike(source, x.dtype());
            x.backend().fill(gx, 0);
            x.backend().scatterAdd(gx, a, index, g.reshape(kept.dims()));
            return new Tensor[] {gx};
        }));
        return keepDim ? out : Tensor.consume(out, x, t -> t.reshape(x.shape().without(a).dims()));
    }

    static Tensor argmax(Tensor x, int axis, boolean keepDim) {
        Checks.open("argmax", x);
        int a = x.shape().axis(axis);
        requireNonEmpty("argmax", x, a);
        Tensor out = x.emptyLike(reducedShape(x.shape(), a, keepDim), DType.I64);
        x.backend().argmax(x, a, out);
        return out.withValueRange(0, x.dim(a) - 1);
    }

    /** The minimum of all elements, as {@link #maxAll} (integers too). */
    static Tensor minAll(Tensor x) {
        requireElements("min", x);
        if (!x.dtype().isFloating()) {
            return x.amin(new int[0], false);
        }
        return extremeOfAll("min", x, flat -> min(flat, 0, false));
    }

    /** The maximum of {@code -x}, negated: NaN wins as in max, and the gradient goes to the first minimal element. */
    static Tensor min(Tensor x, int axis, boolean keepDim) {
        Checks.open("min", x);
        Checks.floating("min", x);
        int a = Axes.axis("min", x.shape(), axis);
        requireNonEmpty("min", x, a);
        Shape kept = reducedShape(x.shape(), a, true);
        Tensor out = x.emptyLike(kept, x.dtype());
        try (Tensor reversed = reversedOrder(x)) {
            x.backend().reduce(ReduceOp.MAX, reversed, a, out);
        }
        x.backend().unary(UnaryOp.NEG, 0, out, out);
        Shape source = x.shape();
        out.record("min", new Tensor[] {x}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {scatteredTo(x, a, argmin(x, a, true), g.reshape(kept.dims()))};
            }
            Tensor gx = x.emptyLike(source, x.dtype());
            x.backend().fill(gx, 0);
            Tensor gKept = g.reshape(kept.dims());
            try (Tensor index = x.emptyLike(kept, DType.I64); Tensor reversed = reversedOrder(x)) {
                x.backend().argmax(reversed, a, index);
                x.backend().scatterAdd(gx, a, index, gKept);
            }
            if (gKept != g) {
                gKept.close();
            }
            return new Tensor[] {gx};
        }));
        return keepDim ? out : Tensor.consume(out, x, t -> t.reshape(x.shape().without(a).dims()));
    }

    /** Index (I64) of the first minimum over {@code axis}, any dtype: the first NaN where there is one, as torch. */
    static Tensor argmin(Tensor x, int axis, boolean keepDim) {
        Checks.open("argmin", x);
        int a = Axes.axis("argmin", x.shape(), axis);
        requireNonEmpty("argmin", x, a);
        Tensor out = x.emptyLike(reducedShape(x.shape(), a, keepDim), DType.I64);
        try (Tensor reversed = reversedOrder(x)) {
            x.backend().argmax(reversed, a, out);
        }
        return out.withValueRange(0, x.dim(a) - 1);
    }

    /**
     * {@code x} in reversed order, whose first maximum is x's first minimum: {@code -x} for floating tensors (exact),
     * {@code -1 - x} for integers, which no value overflows (the bitwise complement).
     */
    private static Tensor reversedOrder(Tensor x) {
        Tensor out = x.emptyLike(x.shape(), x.dtype());
        if (x.dtype().isFloating()) {
            x.backend().unary(UnaryOp.NEG, 0, x, out);
        } else {
            try (Tensor minusOne = ElementwiseOps.scalarLike(x, -1)) {
                x.backend().binary(BinaryOp.SUB, minusOne, x, out);
            }
        }
        return out;
    }

    /** Zeros of x's shape with {@code g} added at {@code index} along {@code axis}: a recorded scatter-add. */
    private static Tensor scatteredTo(Tensor x, int axis, Tensor index, Tensor g) {
        return x.fullLike(0).scatterAdd(axis, index, g);
    }

    /**
     * A 0-d tensor's one axis, as PyTorch names it for its reductions: 0 or -1 (its sum over it is its value, as if
     * it were [1]).
     */
    private static void requireScalarAxis(String op, int axis) {
        if (axis != 0 && axis != -1) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a 0-d tensor; expected 0"
                    + " or -1");
        }
    }

    /** The extreme of all elements needs one, as PyTorch's {@code max()} does (it names no axis to reduce instead). */
    private static void requireElements(String op, Tensor x) {
        Checks.open(op, x);
        if (x.size() == 0) {
            throw new IllegalArgumentException(op + ": " + x.dtype() + " " + x.shape() + " has no elements; the "
                    + op + " of all elements needs at least one");
        }
    }

    private static void requireNonEmpty(String op, Tensor x, int axis) {
        if (x.dim(axis) == 0) {
            throw new IllegalArgumentException(op + ": axis " + axis + " of " + x.shape() + " is empty");
        }
    }

    static Shape reducedShape(Shape s, int axis, boolean keepDim) {
        return keepDim ? s.with(axis, 1) : s.without(axis);
    }
}
