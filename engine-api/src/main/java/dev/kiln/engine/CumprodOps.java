package dev.kiln.engine;

import java.util.function.BinaryOperator;

/**
 * PyTorch's {@code cumprod} along one axis: {@link CumsumOps}'s scan with products, ceil(log2 n) rounds of
 * {@code mul} with ones shifted in, so F32 results differ from PyTorch's left-to-right products in the last bits.
 * The gradient divides by nothing, so it is exact where elements are 0, as PyTorch's {@code cumprod_backward}: for
 * y_k = x_0 ... x_k, the gradient of x_i is y_{i-1} r_i, where r_i = sum over k >= i of g_k x_{i+1} ... x_k, the
 * running sums from the end that r_i = g_i + x_{i+1} r_{i+1} gives; that recurrence is scanned from the end by
 * composing its steps two by two (ceil(log2 n) rounds of {@code mul}, {@code add} and shifts), and, composed of ops,
 * is differentiable again. Integer tensors are multiplied as PyTorch multiplies them, in I64 and exactly, by the
 * backends' integer multiplication.
 */
final class CumprodOps {
    private CumprodOps() {
    }

    static Tensor cumprod(Tensor x, int axis) {
        Checks.open("cumprod", x);
        int a = Axes.axis("cumprod", x.shape(), axis);
        if (!x.dtype().isFloating()) {
            // As PyTorch's: I64 from I32 or I64, exact (wrapping past 2^63), without a gradient.
            BinaryOperator<Tensor> mul = (products, moved) -> ElementwiseOps.integerArithmetic(BinaryOp.MUL, products,
                    moved);
            return Composite.untracked(() -> {
                Tensor products = CumsumOps.scan(x.to(DType.I64), a, false, 1, mul);
                return products == x ? x.copy() : products;
            });
        }
        return Composite.op("cumprod", x, () -> CumsumOps.scan(x, a, false, 1, Tensor::mul),
                (out, g) -> gradient(x, out, g, a));
    }

    /** y_{i-1} r_i, with y_{-1} = 1: the products before each element times the weighted sums from it on. */
    private static Tensor gradient(Tensor x, Tensor out, Tensor g, int axis) {
        if (x.dim(axis) == 0) {
            return g;
        }
        return PadOps.padAxis(out, axis, 1, -1, 1).mul(sumsFromTheEnd(x, g, axis));
    }

    /**
     * r_i = g_i + x_{i+1} r_{i+1}, r beyond the end 0. Each element starts as the step r_i = g_i + f_i r_{i+1} with
     * f_i = x_{i+1}; each round composes it with the step {@code shift} places on, giving r_i = g_i + f_i g_{i+shift}
     * + f_i f_{i+shift} r_{i+2 shift}, until every step reaches beyond the end. Without a graph to record, each round
     * frees the one before, as {@link CumsumOps#scan} does, so that a long axis holds a few tensors of its size at
     * once rather than several for each round; a recorded graph reads every round, which then stay.
     */
    private static Tensor sumsFromTheEnd(Tensor x, Tensor g, int axis) {
        int n = x.dim(axis);
        boolean freesRounds = !Node.createsGraph();
        Tensor factor = PadOps.padAxis(x, axis, -1, 1, 0);
        Tensor sums = g;
        for (int shift = 1; shift < n; shift *= 2) {
            Tensor nextSums;
            Tensor nextFactor = factor;
            try (Scope round = freesRounds ? Scope.open() : null) {
                nextSums = sums.add(factor.mul(PadOps.padAxis(sums, axis, -shift, shift, 0)));
                if (2 * shift < n) {
                    nextFactor = factor.mul(PadOps.padAxis(factor, axis, -shift, shift, 0));
                }
                if (freesRounds) {
                    round.keep(nextSums);
                    if (nextFactor != factor) {
                        round.keep(nextFactor);
                    }
                }
            }
            if (freesRounds && sums != g) {
                sums.close();
            }
            if (freesRounds && nextFactor != factor) {
                factor.close();
            }
            sums = nextSums;
            factor = nextFactor;
        }
        return sums;
    }
}
