package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code torch.linalg.eigh} and {@code eigvalsh} ({@link Linalg#eigh}, {@link Linalg#eigvalsh}) on the
 * backend's {@link Backend#eigh}, with PyTorch 1.13's gradient for the symmetric case ({@code linalg_eig_backward}),
 * composed of recorded ops so that it can be differentiated again:
 * <pre>
 * gA = V (skew(V^T gV) / E + diag(gL)) V^T,   skew(X) = (X - X^T) / 2,   E_ij = L_j - L_i (1 on the diagonal)
 * </pre>
 * finite where the eigenvalues are distinct. The values and vectors are one recorded tensor, packed
 * {@code [batch, n + n n]}, so that one node takes both their gradients; they are copies of its two parts.
 */
final class EighOps {
    static final String OP = "linalg.eigh";
    static final String VALUES_OP = "linalg.eigvalsh";

    private EighOps() {
    }

    /** {@code [eigenvalues, eigenvectors]}. */
    static Tensor[] eigh(Tensor a, String uplo) {
        boolean upper = upper(OP, uplo);
        LinalgShapes.square(OP, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        int n = flat.dim(-1);
        Tensor packed = Composite.untracked(() -> decompose(OP, a, flat, upper, true));
        packed.record(OP, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {Composite.gradient(
                () -> gradient(values(packed, n), vectors(packed, n), values(g, n), vectors(g, n)))}));
        Shape batch = LinalgShapes.batchOf(a);
        return new Tensor[] {values(packed, n).reshape(batch.insert(batch.rank(), n).dims()),
                LinalgShapes.unflat(vectors(packed, n), a)};
    }

    /** The eigenvalues alone; where A's gradient is wanted, through {@link #eigh}, whose vectors the gradient needs. */
    static Tensor eigvalsh(Tensor a, String uplo) {
        boolean upper = upper(VALUES_OP, uplo);
        LinalgShapes.square(VALUES_OP, "A", a);
        if (Tensor.recordsFrom(a)) {
            return eigh(a, uplo)[0];
        }
        Tensor flat = LinalgShapes.flat(a);
        Shape batch = LinalgShapes.batchOf(a);
        return Composite.untracked(() -> decompose(VALUES_OP, a, flat, upper, false))
                .reshape(batch.insert(batch.rank(), flat.dim(-1)).dims());
    }

    private static boolean upper(String op, String uplo) {
        if (!"L".equals(uplo) && !"U".equals(uplo)) {
            throw new IllegalArgumentException(op + ": UPLO \"" + uplo + "\" is not \"L\" or \"U\"");
        }
        return "U".equals(uplo);
    }

    /**
     * The backend's values {@code [batch, n]}, packed with the vectors {@code [batch, n, n]} when asked; a matrix whose
     * values did not converge is refused as PyTorch refuses it.
     */
    private static Tensor decompose(String op, Tensor a, Tensor flat, boolean upper, boolean withVectors) {
        int batch = flat.dim(0);
        int n = flat.dim(-1);
        Tensor values = flat.emptyLike(Shape.of(batch, n), flat.dtype());
        Tensor vectors = withVectors ? flat.emptyLike(flat.shape(), flat.dtype()) : null;
        Tensor info = flat.emptyLike(Shape.of(batch), DType.I32);
        if (values.size() > 0) {
            flat.backend().eigh(flat, upper, values, vectors, info);
            String failure = LinalgShapes.failure(op, a, LinalgShapes.read(info), count -> "The algorithm failed to"
                    + " converge because the input matrix is ill-conditioned or has too many repeated eigenvalues"
                    + " (error code: " + count + ").");
            if (failure != null) {
                throw new IllegalArgumentException(failure);
            }
        }
        return withVectors ? Tensor.cat(List.of(values, vectors.reshape(batch, n * n)), 1) : values;
    }

    private static Tensor values(Tensor packed, int n) {
        return packed.narrow(1, 0, n);
    }

    private static Tensor vectors(Tensor packed, int n) {
        return packed.narrow(1, n, n * n).reshape(packed.dim(0), n, n);
    }

    private static Tensor gradient(Tensor values, Tensor vectors, Tensor gradValues, Tensor gradVectors) {
        Tensor vtg = MatmulOps.matmul(vectors, true, gradVectors, false);
        Tensor skew = vtg.sub(LinalgShapes.transposed(vtg)).mul(0.5);
        // E_ij = L_j - L_i, with ones on the diagonal, where skew is zero.
        Tensor gaps = values.unsqueeze(-2).sub(values.unsqueeze(-1)).add(identity(values));
        Tensor inner = quotient(skew, gaps).add(gradValues.diagEmbed(0, -2, -1));
        return MatmulOps.matmul(vectors.matmul(inner), false, vectors, true);
    }

    /**
     * {@code numerator / gaps}, 0 where both are exactly 0: where the vectors have no gradient (eigvalsh's,
     * svdvals'), repeated values then give PyTorch's finite gradient (it skips these terms there) instead of 0 / 0.
     * Only there: a mask of every zero numerator would also cut the terms' derivative with respect to the incoming
     * gradient, which a Jacobian-vector product's double backward trick takes at a gradient of 0.
     */
    static Tensor quotient(Tensor numerator, Tensor gaps) {
        return numerator.div(gaps).maskedFill(numerator.eq(0).mul(gaps.eq(0)), 0);
    }

    /** Identity matrices {@code [batch, n, n]} for values {@code [batch, n]}, in their dtype and backend. */
    static Tensor identity(Tensor values) {
        return LinalgShapes.identities(values, values.shape());
    }
}
