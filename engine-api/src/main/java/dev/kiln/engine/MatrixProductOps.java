package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code torch.linalg.matrix_power} and {@code multi_dot} ({@link Linalg#matrixPower},
 * {@link Linalg#multiDot}): products of matrices composed of recorded matrix products (and {@link Linalg#inv} for a
 * negative power), so that their gradients are the compositions', differentiable again.
 */
final class MatrixProductOps {
    static final String POWER = "linalg.matrixPower";
    static final String MULTI_DOT = "linalg.multiDot";

    private MatrixProductOps() {
    }

    /** A^n by repeated squaring, A^-1 raised to -n for a negative n, identities for n = 0. */
    static Tensor matrixPower(Tensor a, int n) {
        LinalgShapes.squareMatrices(POWER, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        if (n == 0) {
            // A * 0 + I: identities that still depend on A, with a zero gradient, as PyTorch's.
            return LinalgShapes.unflat(flat.mul(0).add(LuOps.identity(flat)), a);
        }
        // A itself inverted, not its flattened batch, so that a singular A is named as the caller gave it.
        Tensor base = n < 0 ? LinalgShapes.flat(Linalg.inv(a)) : flat;
        Tensor result = null;
        // Binary powering: the set bits of |n| pick the squares A^(2^i) whose product is A^|n|.
        for (long remaining = Math.abs((long) n); remaining > 0; remaining >>= 1) {
            if ((remaining & 1) == 1) {
                result = result == null ? base : result.matmul(base);
            }
            if (remaining > 1) {
                base = base.matmul(base);
            }
        }
        return LinalgShapes.unflat(result == flat ? flat.copy() : result, a);
    }

    /**
     * The product of {@code tensors} in the order of fewest scalar multiplications: a 1-D first tensor as a row
     * vector, a 1-D last one as a column vector, each such axis dropped from the result, as PyTorch's.
     */
    static Tensor multiDot(List<Tensor> tensors) {
        int count = tensors.size();
        if (count < 2) {
            throw new IllegalArgumentException(MULTI_DOT + ": expected at least 2 tensors but got " + count);
        }
        Tensor[] matrices = new Tensor[count];
        for (int i = 0; i < count; i++) {
            Tensor t = tensors.get(i);
            Checks.open(MULTI_DOT, t);
            Checks.floating(MULTI_DOT, t);
            Checks.compatible(MULTI_DOT, tensors.get(0), t);
            boolean end = i == 0 || i == count - 1;
            if (end ? t.rank() != 1 && t.rank() != 2 : t.rank() != 2) {
                throw new IllegalArgumentException(MULTI_DOT + ": " + (i == 0 ? "the first tensor must be 1D or 2D"
                        : i == count - 1 ? "the last tensor must be 1D or 2D" : "tensor " + i + " must be 2D")
                        + " but got " + t.rank() + "D (" + t.shape() + ")");
            }
            matrices[i] = t.rank() == 2 ? t : t.unsqueeze(i == 0 ? 0 : 1);
        }
        for (int i = 1; i < count; i++) {
            if (matrices[i - 1].dim(1) != matrices[i].dim(0)) {
                throw new IllegalArgumentException(MULTI_DOT + ": tensors " + (i - 1) + " and " + i + " with shapes "
                        + tensors.get(i - 1).shape() + " and " + tensors.get(i).shape() + " cannot be multiplied");
            }
        }
        Tensor product = multiply(matrices, order(matrices), 0, count - 1);
        if (tensors.get(count - 1).rank() == 1) {
            product = product.squeeze(1);
        }
        return tensors.get(0).rank() == 1 ? product.squeeze(0) : product;
    }

    /**
     * The matrix-chain split points: {@code split[i][j]} is where the cheapest product of matrices i..j divides
     * (the textbook dynamic programme over the chain's dimensions).
     */
    private static int[][] order(Tensor[] matrices) {
        int count = matrices.length;
        long[] dims = new long[count + 1];
        for (int i = 0; i < count; i++) {
            dims[i] = matrices[i].dim(0);
        }
        dims[count] = matrices[count - 1].dim(1);
        long[][] cost = new long[count][count];
        int[][] split = new int[count][count];
        for (int length = 1; length < count; length++) {
            for (int i = 0; i + length < count; i++) {
                int j = i + length;
                cost[i][j] = Long.MAX_VALUE;
                for (int k = i; k < j; k++) {
                    long c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1];
                    if (c < cost[i][j]) {
                        cost[i][j] = c;
                        split[i][j] = k;
                    }
                }
            }
        }
        return split;
    }

    private static Tensor multiply(Tensor[] matrices, int[][] split, int i, int j) {
        if (i == j) {
            return matrices[i];
        }
        int k = split[i][j];
        return multiply(matrices, split, i, k).matmul(multiply(matrices, split, k + 1, j));
    }
}
