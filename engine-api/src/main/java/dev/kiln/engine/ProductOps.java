package dev.kiln.engine;

import java.util.List;
import java.util.function.BinaryOperator;

/**
 * The product over an axis (PyTorch's {@code prod}), as a tree of element-wise products: the first half of the axis
 * times the second, halving it each round, so ceil(log2 n) rounds of {@code narrow} and {@code mul} (and a
 * {@code cat} where the length is odd), O(size) work in all. Recorded as those ops, whose gradients give each
 * element the product of all the others without dividing by it: exact where elements are 0, as PyTorch's
 * {@code prod_backward}. The empty product is 1. Integer tensors are multiplied as PyTorch multiplies them, in I64
 * and exactly, by the backends' integer multiplication.
 */
final class ProductOps {
    private ProductOps() {
    }

    static Tensor prod(Tensor x, int axis, boolean keepDim) {
        Checks.open("prod", x);
        int a = Axes.axis("prod", x.shape(), axis);
        Shape reduced = ReductionOps.reducedShape(x.shape(), a, keepDim);
        if (!x.dtype().isFloating()) {
            // As PyTorch's: I64 from I32 or I64, exact (wrapping past 2^63), without a gradient.
            return Composite.untracked(() -> integerProduct(x.to(DType.I64), a).reshape(reduced.dims()));
        }
        // Recorded, the products stay for the gradient; otherwise they are freed at once.
        return Tensor.recordsFrom(x) ? product(x, a).reshape(reduced.dims())
                : Composite.untracked(() -> product(x, a).reshape(reduced.dims()));
    }

    static Tensor prodAll(Tensor x) {
        return Tensor.consume(x.reshape(-1), x, flat -> prod(flat, 0, false));
    }

    /** The product over {@code axis}, kept as size 1: a new tensor, also for an axis of one. */
    private static Tensor product(Tensor x, int axis) {
        if (x.dim(axis) == 0) {
            // 0 * (a sum over nothing) + 1: the empty product, on the graph as PyTorch's is.
            return x.sum(axis, true).mul(0).add(1);
        }
        return tree(x, axis, Tensor::mul);
    }

    /** The I64 product over {@code axis} of I64 {@code x}, kept as size 1, by exact integer products. */
    private static Tensor integerProduct(Tensor x, int axis) {
        if (x.dim(axis) == 0) {
            Tensor one = x.emptyLike(x.shape().with(axis, 1), DType.I64);
            x.backend().fill(one, 1);
            return one;
        }
        return tree(x, axis, (p, q) -> ElementwiseOps.integerArithmetic(BinaryOp.MUL, p, q));
    }

    /** The product over a non-empty {@code axis}, kept as size 1, by {@code times}: a new tensor, also for one. */
    private static Tensor tree(Tensor x, int axis, BinaryOperator<Tensor> times) {
        Tensor t = x;
        while (t.dim(axis) > 1) {
            int n = t.dim(axis);
            int half = n / 2;
            Tensor pairs = times.apply(t.narrow(axis, 0, half), t.narrow(axis, half, half));
            t = n % 2 == 0 ? pairs : Tensor.cat(List.of(pairs, t.narrow(axis, n - 1, 1)), axis);
        }
        return t == x ? x.copy() : t;
    }
}
