package dev.kiln.engine;

import java.util.function.UnaryOperator;

/** Sums, means and maxima over an axis or over everything, with their gradients. */
final class ReductionOps {
    private ReductionOps() {
    }

    static Tensor sum(Tensor x, int axis, boolean keepDim) {
        Checks.open("sum", x);
        Checks.floating("sum", x);
        int a = x.shape().axis(axis);
        Tensor out = x.emptyLike(reducedShape(x.shape(), a, keepDim), x.dtype());
        x.backend().reduce(ReduceOp.SUM, x, a, out);
        Shape source = x.shape();
        out.record("sum", new Tensor[] {x}, g -> {
            Tensor kept = g.reshape(source.with(a, 1).dims());
            Tensor spread = kept.expand(source.dims());
            Tensor.releaseIntermediate(kept, g, spread);
            return new Tensor[] {spread};
        });
        return out;
    }

    static Tensor sumAll(Tensor x) {
        return overAll(x, flat -> sum(flat, 0, false));
    }

    static Tensor mean(Tensor x, int axis, boolean keepDim) {
        int n = x.dim(axis);
        Tensor sum = sum(x, axis, keepDim);
        Tensor out = sum.div(n);
        Tensor.releaseIntermediate(sum, x, out);
        return out;
    }

    static Tensor meanAll(Tensor x) {
        Tensor sum = sumAll(x);
        Tensor out = sum.div(x.size());
        Tensor.releaseIntermediate(sum, x, out);
        return out;
    }

    static Tensor maxAll(Tensor x) {
        return overAll(x, flat -> max(flat, 0, false));
    }

    /** {@code reduce} of x flattened to one axis; the flattened view is freed when the result is not recorded. */
    private static Tensor overAll(Tensor x, UnaryOperator<Tensor> reduce) {
        Tensor flat = x.reshape(-1);
        Tensor out = reduce.apply(flat);
        Tensor.releaseIntermediate(flat, x, out);
        return out;
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
        out.record("max", new Tensor[] {x}, g -> {
            Tensor index = x.emptyLike(kept, DType.I64);
            x.backend().argmax(x, a, index);
            Tensor gx = x.emptyLike(source, x.dtype());
            x.backend().fill(gx, 0);
            x.backend().scatterAdd(gx, a, index, g.reshape(kept.dims()));
            return new Tensor[] {gx};
        });
        if (keepDim) {
            return out;
        }
        Tensor squeezed = out.reshape(x.shape().without(a).dims());
        Tensor.releaseIntermediate(out, x, squeezed);
        return squeezed;
    }

    static Tensor argmax(Tensor x, int axis, boolean keepDim) {
        Checks.open("argmax", x);
        int a = x.shape().axis(axis);
        requireNonEmpty("argmax", x, a);
        Tensor out = x.emptyLike(reducedShape(x.shape(), a, keepDim), DType.I64);
        x.backend().argmax(x, a, out);
        return out.withValueRange(0, x.dim(a) - 1);
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
