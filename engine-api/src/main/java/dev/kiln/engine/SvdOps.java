package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code torch.linalg.svd} and {@code svdvals} ({@link Linalg#svd}, {@link Linalg#svdvals}) on the backend's
 * {@link Backend#svd}, with PyTorch 1.13's {@code svd_backward} composed of recorded ops, so that it can be
 * differentiated again. With U {@code [m, k]}, Vh {@code [k, n]} (a full factorisation's extra columns and rows
 * dropped first, as PyTorch drops them), {@code skew(X) = X - X^T} and {@code E_ij = S_j^2 - S_i^2} (1 on the
 * diagonal):
 * <pre>
 * G  = (skew(U^T gU) S_j + S_i skew(Vh gVh^T)) / E + diag(gS)
 * gA = U G Vh,  plus (I - U U^T) gU S^-1 Vh where m > n,  plus U S^-1 gVh (I - V Vh) where m < n
 * </pre>
 * finite where the singular values are distinct and non-zero; it depends on the vectors' signs only through what the
 * loss does. U, S and Vh are one recorded tensor, packed {@code [batch, m ku + k + kv n]}, so that one node takes all
 * their gradients; they are copies of its parts.
 */
final class SvdOps {
    static final String OP = "linalg.svd";
    static final String VALUES_OP = "linalg.svdvals";

    private SvdOps() {
    }

    /** The packed layout of one factorisation: U {@code [m, uColumns]}, S {@code [k]}, Vh {@code [vhRows, n]}. */
    private record Layout(int m, int n, int k, int uColumns, int vhRows) {
        static Layout of(Tensor flat, boolean full) {
            int m = flat.dim(1);
            int n = flat.dim(2);
            int k = Math.min(m, n);
            return new Layout(m, n, k, full ? m : k, full ? n : k);
        }

        Tensor u(Tensor packed) {
            return packed.narrow(1, 0, m * uColumns).reshape(packed.dim(0), m, uColumns);
        }

        Tensor s(Tensor packed) {
            return packed.narrow(1, m * uColumns, k);
        }

        Tensor vh(Tensor packed) {
            return packed.narrow(1, m * uColumns + k, vhRows * n).reshape(packed.dim(0), vhRows, n);
        }
    }

    /** {@code [U, S, Vh]}. */
    static Tensor[] svd(Tensor a, boolean fullMatrices) {
        LinalgShapes.matrices(OP, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        Layout layout = Layout.of(flat, fullMatrices);
        Tensor packed = Composite.untracked(() -> decompose(OP, a, flat, layout, true));
        packed.record(OP, new Tensor[] {flat}, Node.differentiable(g -> new Tensor[] {Composite.gradient(() -> {
            int k = layout.k();
            // A full factorisation's columns of U and rows of Vh past k carry nothing about A.
            return gradient(layout.u(packed).narrow(2, 0, k), layout.s(packed), layout.vh(packed).narrow(1, 0, k),
                    layout.u(g).narrow(2, 0, k), layout.s(g), layout.vh(g).narrow(1, 0, k));
        })}));
        Shape batch = LinalgShapes.batchOf(a);
        return new Tensor[] {LinalgShapes.unflat(layout.u(packed), a),
                layout.s(packed).reshape(batch.insert(batch.rank(), layout.k()).dims()),
                LinalgShapes.unflat(layout.vh(packed), a)};
    }

    /** The singular values alone; where A's gradient is wanted, through {@link #svd}, whose vectors it needs. */
    static Tensor svdvals(Tensor a) {
        LinalgShapes.matrices(VALUES_OP, "A", a);
        if (Tensor.recordsFrom(a)) {
            return svd(a, false)[1];
        }
        Tensor flat = LinalgShapes.flat(a);
        Layout layout = Layout.of(flat, false);
        Shape batch = LinalgShapes.batchOf(a);
        return Composite.untracked(() -> decompose(VALUES_OP, a, flat, layout, false))
                .reshape(batch.insert(batch.rank(), layout.k()).dims());
    }

    /** The backend's S, packed between U and Vh when asked; a failure to converge is refused as PyTorch's. */
    private static Tensor decompose(String op, Tensor a, Tensor flat, Layout layout, boolean withVectors) {
        int batch = flat.dim(0);
        Tensor s = flat.emptyLike(Shape.of(batch, layout.k()), flat.dtype());
        Tensor u = withVectors ? flat.emptyLike(Shape.of(batch, layout.m(), layout.uColumns()), flat.dtype()) : null;
        Tensor vh = withVectors ? flat.emptyLike(Shape.of(batch, layout.vhRows(), layout.n()), flat.dtype()) : null;
        Tensor info = flat.emptyLike(Shape.of(batch), DType.I32);
        if (batch > 0 && layout.k() > 0) {
            flat.backend().svd(flat, u, s, vh, info);
            String failure = LinalgShapes.failure(op, a, LinalgShapes.read(info), code -> "The algorithm failed to"
                    + " converge because the input matrix is ill-conditioned or has too many repeated singular values"
                    + " (error code: " + code + ").");
            if (failure != null) {
                throw new IllegalArgumentException(failure);
            }
        } else if (withVectors) {
            // No singular values: the full factorisation's U and Vh are identities, the reduced ones empty.
            fillIdentity(u);
            fillIdentity(vh);
        }
        return withVectors ? Tensor.cat(List.of(u.reshape(batch, layout.m() * layout.uColumns()), s,
                vh.reshape(batch, layout.vhRows() * layout.n())), 1) : s;
    }

    private static void fillIdentity(Tensor square) {
        if (square.size() > 0) {
            Tensor eye = LuOps.identity(square);
            square.backend().copy(eye, square);
            eye.close();
        }
    }

    private static Tensor gradient(Tensor u, Tensor s, Tensor vh, Tensor gradU, Tensor gradS, Tensor gradVh) {
        int m = u.dim(1);
        int n = vh.dim(2);
        Tensor rowS = s.unsqueeze(-2);
        Tensor columnS = s.unsqueeze(-1);
        Tensor uTgU = MatmulOps.matmul(u, true, gradU, false);
        Tensor vhgV = MatmulOps.matmul(vh, false, gradVh, true);
        Tensor squares = s.mul(s);
        Tensor gaps = squares.unsqueeze(-2).sub(squares.unsqueeze(-1)).add(EighOps.identity(s));
        Tensor inner = EighOps.quotient(skew(uTgU).mul(rowS).add(columnS.mul(skew(vhgV))), gaps)
                .add(gradS.diagEmbed(0, -2, -1));
        if (m > n) {
            // [U G + (I - U U^T) gU S^-1] Vh; 0 where a zero gradient meets a zero singular value (svdvals').
            Tensor gUSinv = EighOps.quotient(gradU, rowS);
            Tensor left = u.matmul(inner).add(gUSinv).sub(u.matmul(MatmulOps.matmul(u, true, gUSinv, false)));
            return left.matmul(vh);
        }
        if (m < n) {
            // U [G Vh + S^-1 gVh (I - V Vh)], the quotient as above.
            Tensor sinvGVh = EighOps.quotient(gradVh, columnS);
            Tensor right = inner.matmul(vh).add(sinvGVh)
                    .sub(MatmulOps.matmul(sinvGVh, false, vh, true).matmul(vh));
            return u.matmul(right);
        }
        return u.matmul(inner).matmul(vh);
    }

    private static Tensor skew(Tensor x) {
        return x.sub(LinalgShapes.transposed(x));
    }
}
