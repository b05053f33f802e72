package dev.kiln.engine;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * PyTorch's {@code torch.linalg.vector_norm}, {@code norm} and {@code vecdot} ({@link Linalg#vectorNorm},
 * {@link Linalg#norm}, {@link Linalg#vecdot}) for real tensors: vector norms of every order on {@link NormOps}'
 * reductions (with their PyTorch gradients), the count of non-zero elements for order 0, and {@code norm}'s choice
 * between a vector and a matrix norm by the axes and the order, as PyTorch chooses.
 */
final class VectorNormOps {
    static final String VECTOR_NORM = "linalg.vectorNorm";
    static final String NORM = "linalg.norm";
    static final String VECDOT = "linalg.vecdot";

    private VectorNormOps() {
    }

    /**
     * {@code (sum |x|^ord)^(1/ord)} over {@code axes} (all when null or empty); ord 0 counts the non-zero elements
     * (no gradient), infinity and -infinity take the largest and smallest |x|.
     */
    static Tensor vectorNorm(Tensor x, double ord, int[] axes, boolean keepDim) {
        Checks.open(VECTOR_NORM, x);
        Checks.floating(VECTOR_NORM, x);
        if (Double.isNaN(ord)) {
            throw new IllegalArgumentException(VECTOR_NORM + ": ord must be a number, got NaN for tensor "
                    + x.shape());
        }
        if (x.rank() == 0) {
            checkScalarAxes(x, axes);
            return Tensor.consume(x.reshape(1), x, flat -> vectorNorm(flat, ord, null, false));
        }
        int[] over = axes == null || axes.length == 0 ? allAxes(x) : Axes.distinct(VECTOR_NORM, x.shape(), axes);
        // A negative order's sum over nothing is 0, whose negative power has no finite value: PyTorch refuses it too.
        if ((ord < 0 || Double.isInfinite(ord)) && Axes.count(x.shape(), over) == 0) {
            String order = Double.isInfinite(ord) ? (ord > 0 ? "inf" : "-inf") : String.valueOf(ord);
            throw new IllegalArgumentException(VECTOR_NORM + " cannot compute the " + order + " norm on an empty"
                    + " tensor because the operation does not have an identity (tensor " + x.shape() + ")");
        }
        if (ord == 0) {
            Shape reduced = Axes.reduced(x.shape(), over, keepDim);
            return Axes.sum(x.ne(0).to(x.dtype()), over).reshape(reduced.dims());
        }
        return NormOps.anyOrder(x, ord, over, keepDim);
    }

    /** A scalar's axes, as PyTorch wraps them: 0 and -1 only. */
    private static void checkScalarAxes(Tensor x, int[] axes) {
        for (int axis : axes == null ? new int[0] : axes) {
            if (axis < -1 || axis > 0) {
                throw new IllegalArgumentException(VECTOR_NORM + ": axis " + axis + " is out of range for a scalar"
                        + " (tensor " + x.shape() + "): axes -1 and 0 only");
            }
        }
    }

    private static int[] allAxes(Tensor x) {
        int[] all = new int[x.rank()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    /** A numeric ord without axes: the vector norm of a 1-D x, the matrix norm of a 2-D one. */
    static Tensor norm(Tensor x, double ord) {
        checkVectorOrMatrix(x);
        return x.rank() == 1 ? vectorNorm(x, ord, null, false) : MatrixFunctions.matrixNorm(x, ord);
    }

    /** "fro" or "nuc" without axes: the matrix norm of a 2-D x. */
    static Tensor norm(Tensor x, String ord) {
        checkVectorOrMatrix(x);
        if (x.rank() != 2) {
            throw new IllegalArgumentException(NORM + ": ord \"" + ord + "\" is a matrix norm, but x " + x.shape()
                    + " is 1-D");
        }
        return MatrixFunctions.matrixNorm(x, ord);
    }

    /** A numeric ord over one axis (a vector norm) or two (a matrix norm). */
    static Tensor norm(Tensor x, double ord, int[] axes, boolean keepDim) {
        Checks.open(NORM, x);
        if (axes.length == 1) {
            return vectorNorm(x, ord, axes, keepDim);
        }
        return overMatrixAxes(NORM, x, axes, keepDim, matrices -> MatrixFunctions.matrixNorm(matrices, ord));
    }

    /** "fro" or "nuc" over two axes. */
    static Tensor norm(Tensor x, String ord, int[] axes, boolean keepDim) {
        Checks.open(NORM, x);
        return overMatrixAxes(NORM, x, axes, keepDim, matrices -> MatrixFunctions.matrixNorm(matrices, ord));
    }

    /** {@link Linalg#matrixNorm} of a numeric ord over axes dim0 and dim1, its axis errors naming matrixNorm. */
    static Tensor matrixNorm(Tensor a, double ord, int dim0, int dim1, boolean keepDim) {
        return overMatrixAxes(MatrixFunctions.NORM, a, new int[] {dim0, dim1}, keepDim,
                matrices -> MatrixFunctions.matrixNorm(matrices, ord));
    }

    /** {@link Linalg#matrixNorm} of "fro" or "nuc" over axes dim0 and dim1, its axis errors naming matrixNorm. */
    static Tensor matrixNorm(Tensor a, String ord, int dim0, int dim1, boolean keepDim) {
        return overMatrixAxes(MatrixFunctions.NORM, a, new int[] {dim0, dim1}, keepDim,
                matrices -> MatrixFunctions.matrixNorm(matrices, ord));
    }

    /**
     * The matrix norm of the matrices whose rows run along {@code axes[0]} and columns along {@code axes[1]}, moved
     * last for it.
     */
    private static Tensor overMatrixAxes(String op, Tensor x, int[] axes, boolean keepDim,
                                         UnaryOperator<Tensor> matrixNorm) {
        if (axes.length != 2) {
            throw new IllegalArgumentException(op + ": axes " + Arrays.toString(axes) + " of x " + x.shape()
                    + " must be one (a vector norm) or two (a matrix norm)");
        }
        int[] sorted = Axes.distinct(op, x.shape(), axes);
        int rows = Axes.axis(op, x.shape(), axes[0]);
        int columns = Axes.axis(op, x.shape(), axes[1]);
        int last = x.rank() - 1;
        Tensor norm = matrixNorm.apply(x.movedim(new int[] {rows, columns}, new int[] {last - 1, last}));
        return keepDim ? norm.unsqueeze(sorted[0]).unsqueeze(sorted[1]) : norm;
    }

    private static void checkVectorOrMatrix(Tensor x) {
        Checks.open(NORM, x);
        if (x.rank() != 1 && x.rank() != 2) {
            throw new IllegalArgumentException(NORM + ": If dim is not specified but ord is, the input must be 1D or"
                    + " 2D. Got " + x.rank() + "D (x " + x.shape() + ")");
        }
    }

    /** {@code sum(x * y)} over {@code axis} of their broadcast shape. */
    static Tensor vecdot(Tensor x, Tensor y, int axis) {
        Checks.open(VECDOT, x, y);
        Checks.floating(VECDOT, x);
        Checks.compatible(VECDOT, x, y);
        Shape both = Shape.broadcast(VECDOT + ": x " + x.shape() + " and y " + y.shape(), x.shape(), y.shape());
        return x.mul(y).sum(Axes.axis(VECDOT, both, axis), false);
    }
}
