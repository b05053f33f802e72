package dev.kiln.engine;

/**
 * PyTorch's {@code torch.linalg.householder_product} ({@link Linalg#householderProduct}): the first n columns of
 * {@code H_1 ... H_k}, {@code H_i = I - tau_i v_i v_i^T}, v_i column i of A below the diagonal with 1 on it (the
 * reflectors LAPACK's geqrf leaves). Applied right to left to the first n columns of the identity, one rank-one update
 * each, of recorded ops, so that the gradient is the composition's and differentiable again.
 */
final class HouseholderProductOps {
    static final String OP = "linalg.householderProduct";

    private HouseholderProductOps() {
    }

    static Tensor householderProduct(Tensor a, Tensor tau) {
        LinalgShapes.matrices(OP, "A", a);
        Checks.open(OP, tau);
        Checks.compatible(OP, a, tau);
        int m = a.dim(-2);
        int n = a.dim(-1);
        if (m < n) {
            throw new IllegalArgumentException(OP + ": input.shape[-2] must be greater than or equal to"
                    + " input.shape[-1] (A " + a.shape() + ")");
        }
        if (tau.rank() != a.rank() - 1) {
            throw new IllegalArgumentException(OP + ": Expected tau to have one dimension less than input, but got"
                    + " tau.ndim equal to " + tau.rank() + " and input.ndim is equal to " + a.rank());
        }
        int k = tau.dim(-1);
        if (k > n) {
            throw new IllegalArgumentException(OP + ": input.shape[-1] must be greater than or equal to"
                    + " tau.shape[-1] (A " + a.shape() + ", tau " + tau.shape() + ")");
        }
        Shape batch = LinalgShapes.batchOf(a);
        if (!tau.shape().without(-1).equals(batch)) {
            throw new IllegalArgumentException(OP + ": Expected batch dimensions of tau to be equal to"
                    + " input.shape[:-2], but got tau " + tau.shape() + " and input " + a.shape());
        }
        Tensor flat = LinalgShapes.flat(a);
        int matrices = flat.dim(0);
        Tensor flatTau = tau.reshape(matrices, k, 1);
        Tensor columns = LinalgShapes.identities(flat, Shape.of(matrices, m)).narrow(2, 0, n);
        // A's strictly lower part plus the m x n identity: the reflectors v_i as columns.
        Tensor reflectors = flat.tril(-1).add(columns);
        Tensor q = columns;
        for (int i = k - 1; i >= 0; i--) {
            Tensor v = reflectors.narrow(2, i, 1);
            Tensor scaled = v.mul(flatTau.narrow(1, i, 1));
            q = q.sub(scaled.matmul(v.transpose(1, 2).matmul(q)));
        }
        return LinalgShapes.unflat(q, a);
    }
}
