package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.matrix_rank} and {@code cond} ({@link Linalg#matrixRank}, {@link Linalg#cond}),
 * composed of the singular (or eigen-) values, {@link Linalg#matrixNorm} and {@link Linalg#invEx} as PyTorch 1.13
 * composes them, so that cond's gradient is the composition's.
 */
final class MatrixConditionOps {
    static final String RANK = "linalg.matrixRank";
    static final String COND = "linalg.cond";

    private MatrixConditionOps() {
    }

    /** With PyTorch's default tolerances: atol 0, rtol the dtype's epsilon times max(m, n). */
    static Tensor matrixRank(Tensor a, boolean hermitian) {
        LinalgShapes.matrices(RANK, "A", a);
        return matrixRank(a, 0, MatrixFunctions.defaultRtol(a), hermitian);
    }

    /**
     * The number of singular values (absolute eigenvalues when {@code hermitian}) above {@code max(atol, rtol
     * S_max)}: I64 with A's batch axes.
     */
    static Tensor matrixRank(Tensor a, double atol, double rtol, boolean hermitian) {
        LinalgShapes.matrices(RANK, "A", a);
        if (!(atol >= 0) || !(rtol >= 0)) {
            throw new IllegalArgumentException(RANK + ": atol " + atol + " and rtol " + rtol
                    + " must be non-negative");
        }
        if (hermitian) {
            LinalgShapes.square(RANK, "A", a);
        }
        Tensor s = hermitian ? Linalg.eigvalsh(a).abs() : Linalg.svdvals(a);
        int last = s.rank() - 1;
        if (s.dim(last) == 0) {
            return s.gt(0).countNonzero(last);
        }
        Tensor tolerance = s.amax(new int[] {last}, true).mul(rtol).clampMin(atol);
        return s.gt(tolerance).countNonzero(last);
    }

    /** 2 or -2: the ratio of the largest and smallest singular values (or its reciprocal), any A. */
    static Tensor cond(Tensor a, double p) {
        LinalgShapes.matrices(COND, "A", a);
        if (Math.abs(p) == 2) {
            Tensor s = Linalg.svdvals(a);
            int last = s.rank() - 1;
            Tensor first = s.narrow(last, 0, 1).squeeze(last);
            Tensor smallest = s.narrow(last, s.dim(last) - 1, 1).squeeze(last);
            return p > 0 ? first.div(smallest) : smallest.div(first);
        }
        if (Math.abs(p) != 1 && !Double.isInfinite(p)) {
            throw new IllegalArgumentException(COND + " got an invalid norm type: " + p
                    + " (2, -2, 1, -1, inf, -inf, \"fro\" or \"nuc\")");
        }
        return throughInverse(a, String.valueOf(p), m -> Linalg.matrixNorm(m, p));
    }

    /** "fro" or "nuc": {@code |A| |A^-1|}, square A. */
    static Tensor cond(Tensor a, String p) {
        LinalgShapes.matrices(COND, "A", a);
        if (!p.equals("fro") && !p.equals("nuc")) {
            throw new IllegalArgumentException(COND + " got an invalid norm type: \"" + p
                    + "\" (2, -2, 1, -1, inf, -inf, \"fro\" or \"nuc\")");
        }
        return throughInverse(a, p, m -> Linalg.matrixNorm(m, p));
    }

    /** {@code norm(A) norm(A^-1)}, infinity where A is singular, as PyTorch's. */
    private static Tensor throughInverse(Tensor a, String p, java.util.function.UnaryOperator<Tensor> norm) {
        LinalgShapes.squareMatrices(COND + "(ord=" + p + ")", "A", a);
        Linalg.ResultAndInfo inverse = Linalg.invEx(a);
        Tensor value = norm.apply(a).mul(norm.apply(inverse.result()));
        return value.maskedFill(inverse.info().ne(0), Double.POSITIVE_INFINITY);
    }
}
