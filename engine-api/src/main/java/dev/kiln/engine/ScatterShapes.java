package dev.kiln.engine;

import java.util.function.BinaryOperator;

/**
 * PyTorch's shape rule for {@code scatter}, {@code scatter_add} and {@code scatter_reduce}: index, src and the
 * destination have one rank, and index is no larger than src along every axis and no larger than the destination
 * along every axis but the scatter's. Only src's leading {@code index.shape} block is read, and only the destination's
 * block of index's extent off the axis (and the whole axis) is written. The scatters themselves take index of src's
 * shape and of the destination's off the axis, so this narrows src and the destination to those blocks before them and
 * puts the block the scatter gives back into the destination (both differentiable), in every backend alike. Gather,
 * whose rule is the same off the axis, reads its input's block the same way.
 */
final class ScatterShapes {
    private ScatterShapes() {
    }

    /**
     * Checks PyTorch's rule for {@code op} of {@code index} along axis {@code a}.
     *
     * @throws IllegalArgumentException naming the op, the shapes and the first axis that breaks it
     */
    static void check(String op, Shape destination, int a, Shape index, Shape src) {
        if (index.rank() != src.rank() || index.rank() != destination.rank()) {
            throw new IllegalArgumentException(op + ": index " + index + ", source " + src + " and destination "
                    + destination + " must have one rank");
        }
        for (int d = 0; d < index.rank(); d++) {
            if (index.dim(d) > src.dim(d)) {
                throw new IllegalArgumentException(op + ": index " + index + " must be no larger than the source " + src
                        + " along every axis, but is " + index.dim(d) + " > " + src.dim(d) + " along axis " + d);
            }
            if (d != a && index.dim(d) > destination.dim(d)) {
                throw new IllegalArgumentException(op + ": index " + index + " must be no larger than the destination "
                        + destination + " along every axis but " + a + ", but is " + index.dim(d) + " > "
                        + destination.dim(d) + " along axis " + d);
            }
        }
    }

    /**
     * {@code exact(destination block, src block)}, where the blocks are those {@link ScatterShapes} describes and
     * {@code exact} is a scatter that takes them; put back into {@code x} where the block is not all of it. Both
     * blocks are x and src themselves where they already fit, so a scatter of matching shapes costs nothing more.
     */
    static Tensor fitted(Tensor x, int a, Shape index, Tensor src, BinaryOperator<Tensor> exact) {
        Tensor source = block(src, index);
        Shape region = region(x.shape(), a, index);
        Tensor out;
        if (region.equals(x.shape())) {
            out = exact.apply(x, source);
        } else {
            Tensor destination = block(x, region);
            Tensor written = exact.apply(destination, source);
            out = x.indexPut(slices(region), written, false);
            Tensor.releaseIntermediate(destination, x, out);
            Tensor.releaseIntermediate(written, x, out);
        }
        Tensor.releaseIntermediate(source, src, out);
        return out;
    }

    /** {@code x}'s block of {@code index}'s extent on every axis but {@code a} (all of axis a): what is written or read. */
    static Shape region(Shape x, int a, Shape index) {
        Shape region = x;
        for (int d = 0; d < index.rank(); d++) {
            region = d == a ? region : region.with(d, index.dim(d));
        }
        return region;
    }

    /** The leading block of {@code t} of {@code shape}; t itself when it is that shape. */
    static Tensor block(Tensor t, Shape shape) {
        Tensor out = t;
        for (int d = 0; d < shape.rank(); d++) {
            if (shape.dim(d) != out.dim(d)) {
                Tensor narrowed = out.narrow(d, 0, shape.dim(d));
                Tensor.releaseIntermediate(out, t, narrowed);
                out = narrowed;
            }
        }
        return out;
    }

    /** {@code [:n0, :n1, ...]} of {@code shape}. */
    private static Idx[] slices(Shape shape) {
        Idx[] slices = new Idx[shape.rank()];
        for (int d = 0; d < slices.length; d++) {
            slices[d] = Idx.until(shape.dim(d));
        }
        return slices;
    }
}
