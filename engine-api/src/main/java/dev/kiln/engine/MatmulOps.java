package dev.kiln.engine;

/**
 * Matrix products on GEMM, with gradients that reuse GEMM's transpose flags instead of copying: recorded matrix
 * products themselves in a backward pass that records its graph.
 */
final class MatmulOps {
    private MatmulOps() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        Checks.compatible("matmul", a, b);
        Checks.floating("matmul", a);
        if (a.rank() < 1 || b.rank() < 1 || a.rank() > 3 || b.rank() > 3) {
            throw new IllegalArgumentException("matmul: " + a.shape() + " x " + b.shape()
                    + ": operands must be 2-D [m, k] x [k, n], batched 3-D [b, m, k] x [b, k, n] or vectors [k]");
        }
        if (a.rank() == 1 || b.rank() == 1) {
            return vectorProduct(a, b);
        }
        int k = a.dim(-1);
        if (b.dim(-2) != k) {
            throw new IllegalArgumentException("matmul: " + a.shape() + " x " + b.shape() + ": inner dimensions "
                    + k + " and " + b.dim(-2) + " differ");
        }
        if (a.rank() == 3 && b.rank() == 3 && a.dim(0) != b.dim(0)) {
            throw new IllegalArgumentException("matmul: " + a.shape() + " x " + b.shape() + ": batch sizes "
                    + a.dim(0) + " and " + b.dim(0) + " differ");
        }
        return matmul(a, false, b, false);
    }

    /**
     * PyTorch's rule for a vector operand: a [k] first operand is the row [1, k], a [k] second one the column [k, 1],
     * and the axis each added is removed from the product ([k] x [k, n] -> [n], [m, k] x [k] -> [m], [k] x [k] -> a
     * scalar); the gradients flow back through the added axes.
     */
    private static Tensor vectorProduct(Tensor a, Tensor b) {
        int inner = b.rank() == 1 ? b.dim(0) : b.dim(-2);
        if (a.dim(-1) != inner) {
            // Checked here so that the message names the shapes given, not the row and column they become.
            throw new IllegalArgumentException("matmul: " + a.shape() + " x " + b.shape() + ": inner dimensions "
                    + a.dim(-1) + " and " + inner + " differ");
        }
        Tensor product = matmul(a.rank() == 1 ? a.unsqueeze(0) : a, b.rank() == 1 ? b.unsqueeze(1) : b);
        if (b.rank() == 1) {
            product = product.squeeze(-1);
        }
        return a.rank() == 1 ? product.squeeze(b.rank() == 1 ? -1 : -2) : product;
    }

    /**
     * op(a) op(b), where op transposes the last two axes when asked, so that GEMM reads a transposed operand in
     * place; shapes as {@link #product} takes them, unchecked. Each gradient is one GEMM again: with C = op(A) op(B),
     * dA = g op(B)^T, or its transpose op(B) g^T where A is read transposed, and likewise for B.
     */
    static Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        Precision precision = Autocast.forOperand(a);
        Tensor out = product(a, transA, b, transB, precision);
        out.record("matmul", new Tensor[] {a, b}, Node.differentiable(g -> {
            if (Node.createsGraph()) {
                return new Tensor[] {
                        a.requiresGrad() ? reduceBatch(transA ? matmul(b, transB, g, true) : matmul(g, false, b, !transB), a)
                                : null,
                        b.requiresGrad() ? reduceBatch(transB ? matmul(g, true, a, transA) : matmul(a, !transA, g, false), b)
                                : null};
            }
            return new Tensor[] {
                    a.requiresGrad() ? reduceBatch(transA ? product(b, transB, g, true, precision)
                            : product(g, false, b, !transB, precision), a) : null,
                    b.requiresGrad() ? reduceBatch(transB ? product(g, true, a, transA, precision)
                            : product(a, !transA, g, false, precision), b) : null};
        }));
        return out;
    }

    /**
     * op(x) * op(y) in {@code precision}, where op transposes the last two axes when asked; either side may be
     * 2-D and is then shared by every batch entry of the other.
     */
    static Tensor product(Tensor x, boolean transX, Tensor y, boolean transY, Precision precision) {
        int m = transX ? x.dim(-1) : x.dim(-2);
        int k = transX ? x.dim(-2) : x.dim(-1);
        int n = transY ? y.dim(-2) : y.dim(-1);
        Backend backend = x.backend();
        if (x.rank() == 2 && y.rank() == 2) {
            Tensor out = x.emptyLike(Shape.of(m, n), x.dtype());
            gemm(backend, precision, transX, transY, m, n, k, x, y, 0, out);
            return out;
        }
        int batch = x.rank() == 3 ? x.dim(0) : y.dim(0);
        Tensor out = x.emptyLike(Shape.of(batch, m, n), x.dtype());
        long strideX = x.rank() == 3 ? (long) m * k : 0;
        long strideY = y.rank() == 3 ? (long) k * n : 0;
        AutocastKernels.gemmStridedBatched(backend, precision, transX, transY, m, n, k, x, strideX, y, strideY, out,
                (long) m * n, batch);
        return out;
    }

    /** {@code c = op(a) op(b) + beta c} on the backend's GEMM for {@code precision}. */
    static void gemm(Backend backend, Precision precision, boolean transA, boolean transB, int m, int n, int k,
                     Tensor a, Tensor b, double beta, Tensor c) {
        AutocastKernels.gemm(backend, precision, transA, transB, m, n, k, a, b, beta, c);
    }

    /** A 2-D operand shared across a batch gets the sum of the per-batch gradients. */
    private static Tensor reduceBatch(Tensor grad, Tensor operand) {
        return grad.rank() > operand.rank() ? grad.sum(0, false) : grad;
    }
}
