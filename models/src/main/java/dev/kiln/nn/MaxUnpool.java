package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * What {@link MaxUnpool2d} and {@link MaxUnpool1d} share: the kernel, stride and padding of the pooling they undo,
 * their checks, and errors that name the layer and the shapes. An unpooling takes its input and the pooling's indices,
 * so the one-argument {@link #forward(Tensor)} refuses.
 */
abstract class MaxUnpool extends Module implements TwoInputForward {
    final int kernel;
    final int stride;
    final int padding;

    /** @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a negative padding */
    MaxUnpool(int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": kernel and stride must be at least 1 and"
                    + " padding at least 0, got kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    /** @throws UnsupportedOperationException always: unpooling needs the pooling's indices too */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(describe() + ": unpooling needs the pooling's indices; call forward(input,"
                + " indices)");
    }

    /** {@code unpooling}'s result, its argument errors renamed for this layer and both shapes. */
    Tensor naming(Tensor x, Tensor indices, Supplier<Tensor> unpooling) {
        try {
            return unpooling.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + ", indices " + indices.shape() + ": "
                    + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr}: each setting as a tuple over the spatial axes, {@code kernel_size=(2, 2)}. */
    @Override
    protected String extraRepr() {
        return "kernel_size=" + perAxis(kernel) + ", stride=" + perAxis(stride) + ", padding=" + perAxis(padding);
    }

    /** 1 or 2: the spatial axes the layer unpools, over which PyTorch's repr repeats each setting. */
    abstract int spatialAxes();

    private String perAxis(int v) {
        int[] each = new int[spatialAxes()];
        Arrays.fill(each, v);
        return PythonRepr.tuple(each);
    }
}
