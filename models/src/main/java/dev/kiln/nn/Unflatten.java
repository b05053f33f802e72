package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Expands one axis into several, like PyTorch's {@code torch.nn.Unflatten(dim, sizes)}: with axis 1 and sizes
 * (32, 7, 7), [batch, 1568] becomes [batch, 32, 7, 7]. The inverse of {@link Flatten}; a view, no copy.
 */
public class Unflatten extends Module {
    private final int axis;
    private final int[] sizes;

    /**
     * @param axis  the axis to expand, at least 0
     * @param sizes what it becomes; each positive, their product the axis's size
     */
    public Unflatten(int axis, int... sizes) {
        if (axis < 0 || sizes == null || sizes.length == 0 || Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
            throw new IllegalArgumentException("Unflatten: expected an axis >= 0 and positive sizes, got axis " + axis
                    + " and sizes " + Arrays.toString(sizes));
        }
        this.axis = axis;
        this.sizes = sizes.clone();
    }

    /** The axis this layer expands. */
    public int axis() {
        return axis;
    }

    /** What the axis becomes. */
    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * x [..., n, ...] with n at {@code axis} to [..., sizes..., ...].
     *
     * @throws IllegalArgumentException naming this layer and the input's shape when x has no such axis or its
     *     size is not the product of the sizes
     */
    @Override
    public Tensor forward(Tensor x) {
        long product = Arrays.stream(sizes).asLongStream().reduce(1, (a, b) -> a * b);
        if (x.rank() <= axis || x.dim(axis) != product) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must have an axis " + axis + " of "
                    + product + " elements");
        }
        int[] dims = new int[x.rank() - 1 + sizes.length];
        for (int i = 0; i < axis; i++) {
            dims[i] = x.dim(i);
        }
        System.arraycopy(sizes, 0, dims, axis, sizes.length);
        for (int i = axis + 1; i < x.rank(); i++) {
            dims[i - 1 + sizes.length] = x.dim(i);
        }
        return x.reshape(dims);
    }

    /** PyTorch's {@code extra_repr}: {@code dim=1, unflattened_size=(2, 5)}. */
    @Override
    protected String extraRepr() {
        return "dim=" + axis + ", unflattened_size=" + PythonRepr.tuple(sizes);
    }
}
