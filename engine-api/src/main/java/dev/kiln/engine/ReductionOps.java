package dev.kiln.engine;

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
        out.record("sum", new Tensor[] {x},
                g -> new Tensor[] {Tensor.consume(g.reshape(source.with(a, 1).dims()), g, t -> t.expand(source.dims()))});
        return out;
    }

    static Tensor sumAll(Tensor x) {
        return Tensor.consume(x.reshape(-1), x, flat -> sum(flat, 0, false));
    }

    static Tensor mean(Tensor x, int axis, boolean keepDim) {
        int n = x.dim(axis);
        return Tensor.consume(sum(x, axis, keepDim), x, sum -> sum.div(n));
    }

    static Tensor meanAll(Tensor x) {
        return Tensor.consume(sumAll(x), x, sum -> sum.div(x.size()));
    }

    static Tensor maxAll(Tensor x) {
        return Tensor.consume(x.reshape(-1), x, flat -> max(flat, 0, false));
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

    private static void requireNonEmpty(String op, Tensor x, int axis) {
        if (x.dim(axis) == 0) {
            throw new IllegalArgumentException(op + ": axis " + axis + " of " + x.shape() + " is empty");
        }
    }

    static Shape reducedShape(Shape s, int axis, boolean keepDim) {
        return keepDim ? s.with(axis, 1) : s.without(axis);
    }
}
