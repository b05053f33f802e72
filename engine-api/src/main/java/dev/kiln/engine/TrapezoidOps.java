package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch's {@code trapezoid} and {@code cumulative_trapezoid}: the trapezoidal rule along an axis, composed of Tensor
 * ops in PyTorch's order (so its values to the last bit and its gradients, to any order): with sample points x,
 * {@code sum(dx (y[i] + y[i+1]) / 2)}, dx the differences of x broadcast against those of y; with a spacing dx,
 * {@code (sum(y) - (y[0] + y[n-1]) / 2) dx}; the running sums likewise.
 */
final class TrapezoidOps {
    private TrapezoidOps() {
    }

    static Tensor trapezoid(Tensor y, Tensor x, int axis) {
        int a = checkY("trapezoid", y, axis);
        int n = y.dim(a);
        if (n == 0) {
            return y.sum(a, false);
        }
        return Composite.composed(() -> spacings("trapezoid", y, x, a)
                .mul(y.narrow(a, 0, n - 1).add(y.narrow(a, 1, n - 1))).div(2).sum(a, false), y, x);
    }

    static Tensor trapezoid(Tensor y, double dx, int axis) {
        int a = checkY("trapezoid", y, axis);
        int n = y.dim(a);
        if (n == 0) {
            return y.sum(a, false);
        }
        return Composite.composed(() -> {
            Tensor ends = y.narrow(a, 0, 1).add(y.narrow(a, n - 1, 1)).squeeze(a);
            return y.sum(a, false).sub(ends.mul(0.5)).mul(dx);
        }, y);
    }

    static Tensor cumulativeTrapezoid(Tensor y, Tensor x, int axis) {
        int a = checkY("cumulativeTrapezoid", y, axis);
        int n = y.dim(a);
        if (n <= 1) {
            return y.narrow(a, 0, 0);
        }
        return Composite.composed(() -> y.narrow(a, 0, n - 1).add(y.narrow(a, 1, n - 1))
                .mul(spacings("cumulativeTrapezoid", y, x, a)).cumsum(a).div(2), y, x);
    }

    static Tensor cumulativeTrapezoid(Tensor y, double dx, int axis) {
        int a = checkY("cumulativeTrapezoid", y, axis);
        int n = y.dim(a);
        if (n <= 1) {
            return y.narrow(a, 0, 0);
        }
        return Composite.composed(() -> y.narrow(a, 0, n - 1).add(y.narrow(a, 1, n - 1)).mul(dx / 2).cumsum(a), y);
    }

    private static int checkY(String op, Tensor y, int axis) {
        Checks.open(op, y);
        Checks.floating(op, y);
        return Axes.axis(op, y.shape(), axis);
    }

    /**
     * The differences of the sample points x along axis a: a [n] x lies along that axis; an x of lower rank than y
     * is aligned to y's last axes; otherwise x is used as it is (its differences broadcast against y's).
     */
    private static Tensor spacings(String op, Tensor y, Tensor x, int a) {
        Checks.compatible(op, y, x);
        Tensor aligned;
        if (x.rank() == 1) {
            if (x.dim(0) != y.dim(a)) {
                throw new IllegalArgumentException(op + ": x " + x.shape() + " must hold one point per sample, "
                        + y.dim(a) + " along axis " + a + " of y " + y.shape() + ", got " + x.dim(0));
            }
            int[] dims = new int[y.rank()];
            Arrays.fill(dims, 1);
            dims[a] = x.dim(0);
            aligned = x.reshape(dims);
        } else if (x.rank() < y.rank()) {
            int[] dims = new int[y.rank()];
            Arrays.fill(dims, 1);
            System.arraycopy(x.shape().dims(), 0, dims, y.rank() - x.rank(), x.rank());
            aligned = x.reshape(dims);
        } else {
            aligned = x;
        }
        if (a >= aligned.rank() || aligned.dim(a) < 1) {
            throw new IllegalArgumentException(op + ": x " + x.shape() + " has no points along axis " + a + " of y "
                    + y.shape());
        }
        int m = aligned.dim(a);
        return aligned.narrow(a, 1, m - 1).sub(aligned.narrow(a, 0, m - 1));
    }
}
