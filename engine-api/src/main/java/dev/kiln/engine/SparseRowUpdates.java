package dev.kiln.engine;

/**
 * The default {@link Backend#sparseAdamUpdate} and {@link Backend#sparseAdagradUpdate}: PyTorch's arithmetic on the
 * gathered rows, pass by pass, through [nnz, c] temporaries, then added back into the rows. A backend with a fused
 * row loop overrides them; it follows these passes' order and precision.
 */
final class SparseRowUpdates {
    private SparseRowUpdates() {
    }

    static void adam(Backend be, Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor rows, Tensor grad,
                     double stepSize, double beta1, double beta2, double eps) {
        Tensor oldAvg = temporary(be, grad);
        Tensor avgUpdate = temporary(be, grad);
        Tensor oldSq = temporary(be, grad);
        Tensor sqUpdate = temporary(be, grad);
        try {
            be.indexSelect(expAvg, 0, rows, oldAvg);
            be.binary(BinaryOp.SUB, grad, oldAvg, avgUpdate);
            be.affine(avgUpdate, 1 - beta1, 0, avgUpdate);
            be.indexAdd(expAvg, 0, rows, avgUpdate);
            be.indexSelect(expAvgSq, 0, rows, oldSq);
            be.binary(BinaryOp.MUL, grad, grad, sqUpdate);
            be.binary(BinaryOp.SUB, sqUpdate, oldSq, sqUpdate);
            be.affine(sqUpdate, 1 - beta2, 0, sqUpdate);
            be.indexAdd(expAvgSq, 0, rows, sqUpdate);
            // The new moments of these rows from the values in hand, as PyTorch's, rather than read back.
            be.binary(BinaryOp.ADD, avgUpdate, oldAvg, avgUpdate);
            be.binary(BinaryOp.ADD, sqUpdate, oldSq, sqUpdate);
            be.unary(UnaryOp.SQRT, 0, sqUpdate, sqUpdate);
            be.affine(sqUpdate, 1, eps, sqUpdate);
            be.binary(BinaryOp.DIV, avgUpdate, sqUpdate, avgUpdate);
            be.affine(avgUpdate, -stepSize, 0, avgUpdate);
            be.indexAdd(param, 0, rows, avgUpdate);
        } finally {
            closeAll(oldAvg, avgUpdate, oldSq, sqUpdate);
        }
    }

    static void adagrad(Backend be, Tensor param, Tensor sum, Tensor rows, Tensor grad, double clr, double eps) {
        Tensor squares = temporary(be, grad);
        Tensor std = temporary(be, grad);
        try {
            be.binary(BinaryOp.MUL, grad, grad, squares);
            be.indexAdd(sum, 0, rows, squares);
            be.indexSelect(sum, 0, rows, std);
            be.unary(UnaryOp.SQRT, 0, std, std);
            be.affine(std, 1, eps, std);
            be.binary(BinaryOp.DIV, grad, std, squares);
            be.affine(squares, -clr, 0, squares);
            be.indexAdd(param, 0, rows, squares);
        } finally {
            closeAll(squares, std);
        }
    }

    private static Tensor temporary(Backend be, Tensor like) {
        return Tensor.empty(like.shape(), like.dtype(), be);
    }

    private static void closeAll(Tensor... tensors) {
        for (Tensor t : tensors) {
            t.close();
        }
    }
}
