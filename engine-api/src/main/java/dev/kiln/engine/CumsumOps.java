package dev.kiln.engine;

import java.util.function.BinaryOperator;

/**
 * PyTorch's {@code cumsum} along one axis as a Hillis-Steele scan: ceil(log2 n) rounds, each adding to the running
 * sums a copy of them shifted 2^r places along the axis with zeros shifted in ({@code narrow}, {@code cat} and
 * {@code add}). That is O(size log n) work and at most four tensors of the input's size at a time, where a product
 * with a triangular matrix of ones would take O(size n) and be rounded to TF32 or bf16 where GEMMs are set to that.
 * The sums are added in a tree rather than left to right, so F32 results differ from PyTorch's in the last bits. The
 * gradient is the same scan in reverse (sums from the end). Integer tensors are summed as PyTorch sums them, in I64
 * and exactly, by the backends' integer addition.
 */
final class CumsumOps {
    private CumsumOps() {
    }

    static Tensor cumsum(Tensor x, int axis) {
        Checks.open("cumsum", x);
        int a = Axes.axis("cumsum", x.shape(), axis);
        if (!x.dtype().isFloating()) {
            // As PyTorch's: I64 from I32 or I64, exact (wrapping past 2^63), without a gradient.
            BinaryOperator<Tensor> add = (sums, moved) -> ElementwiseOps.integerArithmetic(BinaryOp.ADD, sums, moved);
            return Composite.untracked(() -> {
                Tensor sums = scan(x.to(DType.I64), a, false, 0, add);
                return sums == x ? x.copy() : sums;
            });
        }
        // The scan frees its rounds as it goes; a graph recorded from the gradient takes cumsum of the reversed g.
        return Composite.op("cumsum", x, () -> scan(x, a, false, 0, Tensor::add),
                (out, g) -> Node.createsGraph() ? g.flip(a).cumsum(a).flip(a) : scan(g, a, true, 0, Tensor::add));
    }

    /**
     * Running sums of {@code x} along {@code axis}, from the start or, {@code fromEnd}, from the end, each round's
     * sums by {@code add}, whose identity ({@code 0} for sums, {@code 1} for products) is shifted in; {@code x}
     * itself for an axis of one or none, else a new tensor. {@link CumprodOps} scans with products.
     */
    static Tensor scan(Tensor x, int axis, boolean fromEnd, double identity, BinaryOperator<Tensor> add) {
        int n = x.dim(axis);
        Tensor sums = x;
        for (int shift = 1; shift < n; shift *= 2) {
            try (Scope round = Scope.open()) {
                Tensor moved = PadOps.padAxis(sums, axis, fromEnd ? -shift : shift, fromEnd ? shift : -shift,
                        identity);
                Tensor next = round.keep(add.apply(sums, moved));
                if (sums != x) {
                    sums.close();
                }
                sums = next;
            }
        }
        return sums;
    }
}
