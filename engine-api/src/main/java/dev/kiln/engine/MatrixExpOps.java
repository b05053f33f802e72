package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.matrix_exp} ({@link Linalg#matrixExp}) by scaling and squaring (Higham 2005): each
 * matrix scaled by 2^-s so that its 1-norm is at most theta13, its degree-13 Padé approximant {@code (V - U)^-1
 * (V + U)}, squared s times. Composed of recorded products, {@link Linalg#solve} and selections, so that its
 * gradient is the composition's (that of the approximant, which matches PyTorch's block-matrix exponential to
 * rounding) and differentiable again. The norms are read on the host to choose s, as PyTorch reads them.
 */
final class MatrixExpOps {
    static final String OP = "linalg.matrixExp";
    /** The largest 1-norm for which the degree-13 approximant is exact to double precision. */
    private static final double THETA_13 = 5.371920351148152;
    /**
     * The degree-13 Padé coefficients b0..b13 divided by b0, so that the identity's coefficient is 1: the solve's
     * pivots are then exactly 1 for a zero or nilpotent A, whose exponential comes out exact (I for A = 0, as
     * PyTorch's), where pivots of b0 = 6.5e16 gave 1 - 2^-53.
     */
    private static final double[] B = normalised(64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
        1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
        40840800.0, 960960.0, 16380.0, 182.0, 1.0);

    private MatrixExpOps() {
    }

    private static double[] normalised(double... b) {
        double[] scaled = new double[b.length];
        for (int k = 0; k < b.length; k++) {
            scaled[k] = b[k] / b[0];
        }
        return scaled;
    }

    static Tensor matrixExp(Tensor a) {
        LinalgShapes.squareMatrices(OP, "A", a);
        Tensor flat = LinalgShapes.flat(a);
        if (flat.size() == 0) {
            return LinalgShapes.unflat(flat.copy(), a);
        }
        int[] squarings = squarings(flat);
        int most = 0;
        double[] scales = new double[squarings.length];
        for (int i = 0; i < squarings.length; i++) {
            most = Math.max(most, squarings[i]);
            scales[i] = Math.scalb(1.0, -squarings[i]);
        }
        Tensor r = pade13(most == 0 ? flat : flat.mul(onBackend(flat, scales)));
        for (int k = 0; k < most; k++) {
            double[] squared = new double[squarings.length];
            boolean all = true;
            for (int i = 0; i < squarings.length; i++) {
                squared[i] = squarings[i] > k ? 1 : 0;
                all &= squarings[i] > k;
            }
            // Matrices that need fewer squarings keep their value.
            r = all ? r.matmul(r) : Tensor.where(onBackend(flat, squared), r.matmul(r), r);
        }
        return LinalgShapes.unflat(r, a);
    }

    /** For each matrix of {@code [batch, n, n]}, the least s with {@code |A|_1 / 2^s <= theta13}. */
    private static int[] squarings(Tensor flat) {
        double[] norms;
        try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            norms = flat.abs().sum(1, false).amax(new int[] {1}, false).toDoubleArray();
        }
        int[] s = new int[norms.length];
        for (int i = 0; i < norms.length; i++) {
            // A matrix holding NaN or an infinity is not scaled: its approximant holds NaN, as PyTorch's result.
            while (Double.isFinite(norms[i]) && norms[i] > THETA_13 * Math.scalb(1.0, s[i])) {
                s[i]++;
            }
        }
        return s;
    }

    /** Per-matrix values {@code [batch, 1, 1]} in {@code like}'s dtype, on its backend (an upload). */
    private static Tensor onBackend(Tensor like, double[] values) {
        Tensor host = Tensor.fromArray(values, values.length, 1, 1);
        Tensor moved = host.to(like.backend());
        Tensor typed = moved.to(like.dtype());
        // Closed here: where the op records, nothing else would close them before the caller's scope does.
        if (moved != host) {
            host.close();
        }
        if (typed != moved) {
            moved.close();
        }
        return typed;
    }

    /** {@code (V - U)^-1 (V + U)}, U the odd and V the even part of the degree-13 numerator, evaluated as Higham's. */
    private static Tensor pade13(Tensor a) {
        Tensor eye = LuOps.identity(a);
        Tensor a2 = a.matmul(a);
        Tensor a4 = a2.matmul(a2);
        Tensor a6 = a4.matmul(a2);
        Tensor u = a.matmul(a6.matmul(a6.mul(B[13]).add(a4.mul(B[11])).add(a2.mul(B[9])))
                .add(a6.mul(B[7])).add(a4.mul(B[5])).add(a2.mul(B[3])).add(eye.mul(B[1])));
        Tensor v = a6.matmul(a6.mul(B[12]).add(a4.mul(B[10])).add(a2.mul(B[8])))
                .add(a6.mul(B[6])).add(a4.mul(B[4])).add(a2.mul(B[2])).add(eye.mul(B[0]));
        return Linalg.solve(v.sub(u), v.add(u));
    }
}
