package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code vander}: the Vandermonde matrix of a vector, its powers 0 to n - 1 as columns, composed as
 * PyTorch composes it: a column of ones beside the running product of n - 1 copies of the vector, flipped for
 * decreasing powers. Differentiable to any order through {@link Tensor#cumprod} (exact where the vector holds zeros);
 * integer vectors give I64, as PyTorch's.
 */
final class VanderOps {
    private VanderOps() {
    }

    static Tensor vander(Tensor x, int n, boolean increasing) {
        Checks.open("vander", x);
        if (x.rank() != 1) {
            throw new IllegalArgumentException("vander: x must be 1-D, got " + x.shape());
        }
        if (n < 0) {
            throw new IllegalArgumentException("vander: n must be >= 0, got " + n);
        }
        // An integer x's I64 copy is a step, freed with the others where no graph reads them.
        return Composite.composed(() -> {
            Tensor v = x.dtype().isFloating() ? x : x.to(DType.I64);
            int rows = v.dim(0);
            if (n == 0) {
                return v.fullLike(0, Shape.of(rows, 0));
            }
            Tensor ones = v.fullLike(1, Shape.of(rows, 1));
            Tensor powers = n == 1 ? ones
                    : Tensor.cat(List.of(ones, v.unsqueeze(1).expand(rows, n - 1).cumprod(1)), 1);
            return increasing ? powers : powers.flip(1);
        }, x);
    }
}
