package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.pinv}, {@code matrix_norm} and {@code lstsq}'s solution ({@link Linalg#pinv},
 * {@link Linalg#matrixNorm}, {@link Linalg#lstsq}), composed of the SVD and reductions as PyTorch 1.13 composes the
 * first two, so that their gradients are the compositions'; lstsq's is PyTorch's, that of {@code pinv(A) B}.
 */
final class MatrixFunctions {
    static final String PINV = "linalg.pinv";
    static final String NORM = "linalg.matrixNorm";
    static final String LSTSQ = "linalg.lstsq";

    private MatrixFunctions() {
    }

    /**
     * {@code V diag(S+) U^T}, S+ the reciprocals of the singular values above {@code max(atol, rtol S_max)} and 0
     * elsewhere.
     */
    static Tensor pinv(Tensor a, double atol, double rtol) {
        LinalgShapes.matrices(PINV, "A", a);
        checkTolerances(atol, rtol);
        // Flattened to [batch, m, n]: matmul takes batches of one axis.
        Tensor flat = LinalgShapes.flat(a);
        Linalg.SVD svd = Linalg.svd(flat, false);
        Tensor s = svd.s();
        if (s.dim(-1) == 0) {
            return LinalgShapes.unflat(LinalgShapes.transposed(flat).mul(0), a);
        }
        Tensor tolerance = s.narrow(s.rank() - 1, 0, 1).mul(rtol).clampMin(atol);
        Tensor kept = s.gt(tolerance);
        Tensor inverse = Tensor.where(kept, s.maskedFill(kept.eq(0), 1).reciprocal(), s.mul(0));
        return LinalgShapes.unflat(LinalgShapes.transposed(svd.vh()).mul(inverse.unsqueeze(-2))
                .matmul(LinalgShapes.transposed(svd.u())), a);
    }

    /**
     * {@code Q diag(L+) Q^T} of the symmetric A's eigen-decomposition (its lower triangle read), L+ the reciprocals of
     * the eigenvalues whose magnitude is above {@code max(atol, rtol max|L|)} and 0 elsewhere: PyTorch's
     * {@code pinv(hermitian=True)}. Its gradient is PyTorch's {@code pinv_backward}, the pseudo-inverse's own (the one
     * the SVD's gives too), not the eigen-decomposition's, which would be symmetrised.
     */
    static Tensor pinvHermitian(Tensor a, double atol, double rtol) {
        LinalgShapes.squareMatrices(PINV, "A", a);
        checkTolerances(atol, rtol);
        Tensor flat = LinalgShapes.flat(a);
        Tensor pinv = Composite.untracked(() -> eigenPinv(flat, atol, rtol));
        pinv.record(PINV, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {Composite.gradient(
                () -> pinvGradient(g, pinv, flat))}));
        return LinalgShapes.unflat(pinv, a);
    }

    private static Tensor eigenPinv(Tensor flat, double atol, double rtol) {
        if (flat.dim(-1) == 0) {
            return flat.mul(0);
        }
        Linalg.Eigh eigh = Linalg.eigh(flat);
        Tensor values = eigh.eigenvalues();
        Tensor magnitudes = values.abs();
        Tensor tolerance = magnitudes.amax(new int[] {magnitudes.rank() - 1}, true).mul(rtol).clampMin(atol);
        Tensor kept = magnitudes.gt(tolerance);
        Tensor inverse = Tensor.where(kept, values.maskedFill(kept.eq(0), 1).reciprocal(), values.mul(0));
        Tensor q = eigh.eigenvectors();
        return q.mul(inverse.unsqueeze(-2)).matmul(LinalgShapes.transposed(q));
    }

    /**
     * PyTorch's {@code pinv_backward} for square A and its pseudo-inverse P, K = g^T P:
     * {@code -(P K)^T + K P^T - A P K P^T + P^T P (g^T - K A)}.
     */
    private static Tensor pinvGradient(Tensor g, Tensor p, Tensor a) {
        Tensor pt = LinalgShapes.transposed(p);
        Tensor gt = LinalgShapes.transposed(g);
        Tensor k = gt.matmul(p);
        Tensor kpt = k.matmul(pt);
        return LinalgShapes.transposed(p.matmul(k)).neg().add(kpt).sub(a.matmul(p).matmul(kpt))
                .add(pt.matmul(p).matmul(gt.sub(k.matmul(a))));
    }

    private static void checkTolerances(double atol, double rtol) {
        if (!(atol >= 0) || !(rtol >= 0)) {
            throw new IllegalArgumentException(PINV + ": atol " + atol + " and rtol " + rtol
                    + " must be non-negative");
        }
    }

    /** PyTorch's default rtol where neither tolerance is given: the dtype's epsilon times max(m, n). */
    static double defaultRtol(Tensor a) {
        double epsilon = a.dtype() == DType.F64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        return epsilon * Math.max(a.dim(-2), a.dim(-1));
    }

    /** "fro" (the square root of the sum of squares) or "nuc" (the sum of the singular values). */
    static Tensor matrixNorm(Tensor a, String ord) {
        LinalgShapes.matrices(NORM, "A", a);
        return switch (ord) {
            case "fro" -> a.norm(2, new int[] {a.rank() - 2, a.rank() - 1}, false);
            case "nuc" -> Linalg.svdvals(a).sum(a.rank() - 2, false);
            default -> throw new IllegalArgumentException(NORM + ": ord \"" + ord
                    + "\" is not \"fro\" or \"nuc\" (numbers: 2, -2, 1, -1, inf, -inf)");
        };
    }

    /**
     * 2 and -2: the largest and smallest singular value; 1 and -1: the largest and smallest absolute column sum; inf
     * and -inf: the largest and smallest absolute row sum.
     */
    static Tensor matrixNorm(Tensor a, double ord) {
        LinalgShapes.matrices(NORM, "A", a);
        int last = a.rank() - 1;
        boolean largest = ord > 0;
        if (Math.abs(ord) == 2) {
            Tensor s = Linalg.svdvals(a);
            return largest ? s.amax(new int[] {last - 1}, false) : s.amin(new int[] {last - 1}, false);
        }
        if (Math.abs(ord) == 1 || Double.isInfinite(ord)) {
            // Column sums run down the rows (axis -2), row sums along the columns (axis -1).
            Tensor sums = a.abs().sum(Math.abs(ord) == 1 ? last - 1 : last, false);
            return largest ? sums.amax(new int[] {last - 1}, false) : sums.amin(new int[] {last - 1}, false);
        }
        throw new IllegalArgumentException(NORM + ": ord " + ord
                + " is not one of 2, -2, 1, -1, inf, -inf (or \"fro\", \"nuc\")");
    }

    /**
     * The minimum-norm least-squares solutions {@code pinv(A) B} of A {@code [..., m, n]} and B {@code [..., m, k]},
     * batch axes broadcast: {@code [..., n, k]}.
     */
    static Tensor lstsq(Tensor a, Tensor b) {
        LinalgShapes.matrices(LSTSQ, "A", a);
        LinalgShapes.matrices(LSTSQ, "B", b);
        Checks.compatible(LSTSQ, a, b);
        if (a.dim(-2) != b.dim(-2)) {
            throw new IllegalArgumentException(LSTSQ + ": A " + a.shape() + " and B " + b.shape()
                    + ": B's rows must number " + a.dim(-2) + ", as A's");
        }
        Tensor pseudoInverse = pinv(a, 0, defaultRtol(a));
        Tensor[] pb = LinalgShapes.broadcast(LSTSQ, "pinv(A)", pseudoInverse, "B", b, true);
        return LinalgShapes.unflat(LinalgShapes.flat(pb[0]).matmul(LinalgShapes.flat(pb[1])), pb[1]);
    }
}
