package dev.kiln.engine;

/**
 * PyTorch's {@code torch.max(x, dim, keepdim)} and {@code torch.min(x, dim, keepdim)}: the extreme over one axis and
 * its first position (of the first NaN, where a slice of a floating tensor holds one). Floating values come from
 * {@link Tensor#max(int, boolean)} / {@link Tensor#min(int, boolean)}, whose gradient goes to that position; integer
 * values are gathered at it, exact and without a gradient. A 0-d tensor is taken as one element, as PyTorch takes it
 * (axis 0 or -1): its value and index 0, both 0-d, keepDim or not.
 */
final class ExtremeWithIndices {
    private ExtremeWithIndices() {
    }

    static IndexedValues max(Tensor x, int axis, boolean keepDim) {
        return of("maxWithIndices", x, axis, keepDim, true);
    }

    static IndexedValues min(Tensor x, int axis, boolean keepDim) {
        return of("minWithIndices", x, axis, keepDim, false);
    }

    private static IndexedValues of(String op, Tensor x, int axis, boolean keepDim, boolean max) {
        Checks.open(op, x);
        if (x.rank() == 0) {
            return ofScalar(op, x, axis, max);
        }
        int a = Axes.axis(op, x.shape(), axis);
        if (x.dim(a) == 0) {
            throw new IllegalArgumentException(op + ": axis " + axis + " of " + x.shape() + " is empty; the "
                    + (max ? "maximum" : "minimum") + " of no elements is undefined");
        }
        Tensor indices = max ? x.argmax(a, keepDim) : x.argmin(a, keepDim);
        return new IndexedValues(values(x, a, keepDim, max), indices);
    }

    private static Tensor values(Tensor x, int a, boolean keepDim, boolean max) {
        if (x.dtype().isFloating()) {
            return max ? x.max(a, keepDim) : x.min(a, keepDim);
        }
        int[] axes = {a};
        return max ? x.amax(axes, keepDim) : x.amin(axes, keepDim);
    }

    /** PyTorch wraps a 0-d tensor's dim as a vector's: -1 and 0 name its one element. */
    private static IndexedValues ofScalar(String op, Tensor x, int axis, boolean max) {
        if (axis != 0 && axis != -1) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for a 0-d tensor, which"
                    + " takes axis 0 or -1 (its one element)");
        }
        Tensor one = x.reshape(1);
        IndexedValues r = of(op, one, 0, false, max);
        Tensor.releaseIntermediate(one, x, r.values());
        return r;
    }
}
