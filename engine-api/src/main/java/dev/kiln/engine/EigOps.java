package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code torch.linalg.eig} and {@code eigvals} ({@link Linalg#eig}, {@link Linalg#eigvals}) of real
 * matrices on the backend's {@link Backend#eig}, complex results as {@code view_as_real} pairs, with PyTorch 1.13's
 * gradient ({@code linalg_eig_backward}, its real part for a real A), composed of recorded real ops on the pairs so
 * that it can be differentiated again:
 * <pre>
 * gA = Re(V^-H (diag(gL) + (V^H gV - V^H V Re(diag(V^H gV))) / conj(E)) V^H),   E_ij = L_j - L_i (1 on the diagonal)
 * </pre>
 * finite where the eigenvalues are distinct. The values and vectors are one recorded tensor, packed
 * {@code [batch, 2 n + 2 n n]}, so that one node takes both their gradients; they are copies of its two parts.
 */
final class EigOps {
    static final String OP = "linalg.eig";
    static final String VALUES_OP = "linalg.eigvals";

    private EigOps() {
    }

    /** {@code [eigenvalues [..., n, 2], eigenvectors [..., n, n, 2]]}. */
    static Tensor[] eig(Tensor a) {
        check(OP, a);
        Tensor flat = LinalgShapes.flat(a);
        int n = flat.dim(-1);
        Tensor packed = Composite.untracked(() -> decompose(OP, a, flat, true));
        packed.record(OP, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {Composite.gradient(
                () -> gradient(values(packed, n), vectors(packed, n), values(g, n), vectors(g, n)))}));
        Shape batch = LinalgShapes.batchOf(a);
        int[] valueShape = batch.insert(batch.rank(), n).insert(batch.rank() + 1, 2).dims();
        int[] vectorShape = batch.insert(batch.rank(), n).insert(batch.rank() + 1, n).insert(batch.rank() + 2, 2)
                .dims();
        return new Tensor[] {values(packed, n).reshape(valueShape), vectors(packed, n).reshape(vectorShape)};
    }

    /** The eigenvalues alone; where A's gradient is wanted, through {@link #eig}, whose vectors the gradient needs. */
    static Tensor eigvals(Tensor a) {
        check(VALUES_OP, a);
        if (Tensor.recordsFrom(a)) {
            return eig(a)[0];
        }
        Tensor flat = LinalgShapes.flat(a);
        int n = flat.dim(-1);
        Shape batch = LinalgShapes.batchOf(a);
        return Composite.untracked(() -> decompose(VALUES_OP, a, flat, false))
                .reshape(batch.insert(batch.rank(), n).insert(batch.rank() + 1, 2).dims());
    }

    /** Square F32 or F64 matrices without infinities or NaN, which LAPACK's geev (and PyTorch) refuse. */
    private static void check(String op, Tensor a) {
        LinalgShapes.squareMatrices(op, "A", a);
        boolean finite = Composite.untracked(() -> a.isfinite().all()).item() != 0;
        if (!finite) {
            throw new IllegalArgumentException(op + ": input tensor should not contain infs or NaNs (A " + a.shape()
                    + ")");
        }
    }

    /**
     * The backend's values {@code [batch, n, 2]}, flattened and packed with the vectors {@code [batch, n, n, 2]} when
     * asked; a matrix whose values did not converge is refused as PyTorch refuses it.
     */
    private static Tensor decompose(String op, Tensor a, Tensor flat, boolean withVectors) {
        int batch = flat.dim(0);
        int n = flat.dim(-1);
        Tensor values = flat.emptyLike(Shape.of(batch, n, 2), flat.dtype());
        Tensor vectors = withVectors ? flat.emptyLike(Shape.of(batch, n, n, 2), flat.dtype()) : null;
        Tensor info = flat.emptyLike(Shape.of(batch), DType.I32);
        if (values.size() > 0) {
            flat.backend().eig(flat, values, vectors, info);
            String failure = LinalgShapes.failure(op, a, LinalgShapes.read(info), count -> "The algorithm failed to"
                    + " converge because the input matrix is ill-conditioned or has too many repeated eigenvalues"
                    + " (error code: " + count + ").");
            if (failure != null) {
                throw new IllegalArgumentException(failure);
            }
        }
        if (!withVectors) {
            return values;
        }
        return Tensor.cat(List.of(values.reshape(batch, 2 * n), vectors.reshape(batch, 2 * n * n)), 1);
    }

    private static Tensor values(Tensor packed, int n) {
        return packed.narrow(1, 0, 2 * n).reshape(packed.dim(0), n, 2);
    }

    private static Tensor vectors(Tensor packed, int n) {
        return packed.narrow(1, 2 * n, 2 * n * n).reshape(packed.dim(0), n, n, 2);
    }

    private static Tensor real(Tensor pairs) {
        return pairs.narrow(-1, 0, 1).squeeze(-1);
    }

    private static Tensor imag(Tensor pairs) {
        return pairs.narrow(-1, 1, 1).squeeze(-1);
    }

    /** The formula of the class comment, each complex matrix as its real and imaginary parts. */
    private static Tensor gradient(Tensor values, Tensor vectors, Tensor gradValues, Tensor gradVectors) {
        Tensor vr = real(vectors);
        Tensor vi = imag(vectors);
        Tensor[] vhgv = adjointTimes(vr, vi, real(gradVectors), imag(gradVectors));
        checkPhaseInvariant(vhgv[1]);
        Tensor[] vhv = adjointTimes(vr, vi, vr, vi);
        Tensor scale = vhgv[0].diagonal(0, -2, -1).unsqueeze(-2);
        Tensor numR = vhgv[0].sub(vhv[0].mul(scale));
        Tensor numI = vhgv[1].sub(vhv[1].mul(scale));
        // conj(E)_ij = conj(L_j) - conj(L_i), with ones on the diagonal.
        Tensor lr = real(values);
        Tensor li = imag(values);
        Tensor er = lr.unsqueeze(-2).sub(lr.unsqueeze(-1)).add(EighOps.identity(lr));
        Tensor ei = li.unsqueeze(-1).sub(li.unsqueeze(-2));
        Tensor[] quotient = divide(numR, numI, er, ei);
        Tensor mr = quotient[0].add(real(gradValues).diagEmbed(0, -2, -1));
        Tensor mi = quotient[1].add(imag(gradValues).diagEmbed(0, -2, -1));
        // M V^H = (mr + i mi)(vr^T - i vi^T).
        Tensor vrT = LinalgShapes.transposed(vr);
        Tensor viT = LinalgShapes.transposed(vi);
        Tensor rhsR = mr.matmul(vrT).add(mi.matmul(viT));
        Tensor rhsI = mi.matmul(vrT).sub(mr.matmul(viT));
        // V^H X = M V^H as the real system [[vr^T, vi^T], [-vi^T, vr^T]] [Xr; Xi] = [Rr; Ri]; gA = Xr.
        Tensor system = Tensor.cat(List.of(Tensor.cat(List.of(vrT, viT), -1), Tensor.cat(List.of(viT.neg(), vrT), -1)),
                -2);
        int n = vr.dim(-1);
        return LuOps.solve(system, Tensor.cat(List.of(rhsR, rhsI), -2), true).narrow(-2, 0, n);
    }

    /**
     * PyTorch's check that the loss does not depend on the eigenvectors' phases: turning column k by e^{i phi} changes
     * it by {@code phi Im(V^H gV)_kk}, so that imaginary diagonal must be 0 (within 1e-2, as PyTorch's allclose); the
     * formula's gradient of a loss that fails it is not the loss's derivative.
     *
     * @throws IllegalArgumentException in PyTorch's words where the loss depends on the phases
     */
    private static void checkPhaseInvariant(Tensor vhgvImag) {
        if (vhgvImag.size() == 0) {
            return;
        }
        double largest = Composite.untracked(() -> vhgvImag.diagonal(0, -2, -1).abs().max()).item();
        if (!(largest <= 1e-2)) {
            throw new IllegalArgumentException(OP + " backward: The eigenvectors in the complex case are specified up"
                    + " to multiplication by e^{i phi}. The specified loss function depends on this quantity, so it is"
                    + " ill-defined.");
        }
    }

    /** {@code (ar + i ai)^H (br + i bi)} as {@code [real, imaginary]}. */
    private static Tensor[] adjointTimes(Tensor ar, Tensor ai, Tensor br, Tensor bi) {
        Tensor real = MatmulOps.matmul(ar, true, br, false).add(MatmulOps.matmul(ai, true, bi, false));
        Tensor imag = MatmulOps.matmul(ar, true, bi, false).sub(MatmulOps.matmul(ai, true, br, false));
        return new Tensor[] {real, imag};
    }

    /**
     * {@code (nr + i ni) / (dr + i di)}, 0 where numerator and denominator are both exactly 0: where the vectors have
     * no gradient (eigvals'), repeated values then give a finite gradient instead of 0 / 0, as
     * {@link EighOps#quotient} (and only there, as it explains).
     */
    private static Tensor[] divide(Tensor nr, Tensor ni, Tensor dr, Tensor di) {
        Tensor denominator = dr.mul(dr).add(di.mul(di));
        Tensor zero = nr.abs().add(ni.abs()).eq(0).mul(denominator.eq(0));
        Tensor real = nr.mul(dr).add(ni.mul(di)).div(denominator).maskedFill(zero, 0);
        Tensor imag = ni.mul(dr).sub(nr.mul(di)).div(denominator).maskedFill(zero, 0);
        return new Tensor[] {real, imag};
    }
}
