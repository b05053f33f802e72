package dev.kiln.engine;

/**
 * An op whose every output element copies one input element, selected over the trailing axes from {@code first} on,
 * flattened together, by one {@code indexSelect} with an index of flat source positions computed on the host and
 * uploaded once per call (saved for the backward pass, which adds each output element's gradient to its source with
 * one {@code indexAdd}). One selection moves every element once, where a slice per element would take a copy each.
 * The upload keeps a step that uses it from being recorded as a {@link StepGraph}.
 */
final class TrailingAxesGather {
    private TrailingAxesGather() {
    }

    /**
     * Op {@code op}: {@code x} to shape {@code out}, equal to x's before {@code first}, whose flattened trailing axes
     * read x's flattened trailing axes at {@code sources}.
     */
    static Tensor select(String op, Tensor x, Shape out, int first, long[] sources) {
        Tensor index = HostValues.longs(x, sources, sources.length);
        Shape in = x.shape();
        int outer = Checks.dimension(op, "the leading axes of " + in, in.outer(first));
        int inner = Checks.dimension(op, "the trailing axes of " + in, in.inner(first - 1));
        Tensor y = Composite.untracked(() -> x.reshape(outer, inner).indexSelect(1, index).reshape(out.dims()));
        y.recordWithSaved(op, new Tensor[] {x}, Node.differentiable(
                g -> new Tensor[] {Composite.gradient(() -> scattered(g, in, outer, inner, index))}), index);
        return y;
    }

    /**
     * Flat positions over the axes so far ({@code sources}) extended by one more axis of size n read at
     * {@code next}: the index {@link #select} takes, built one axis at a time.
     */
    static long[] extended(String op, long[] sources, int n, int[] next) {
        long[] extended = new long[Checks.dimension(op, "the output's positions", (long) sources.length * next.length)];
        for (int j = 0; j < sources.length; j++) {
            for (int k = 0; k < next.length; k++) {
                extended[j * next.length + k] = sources[j] * n + next[k];
            }
        }
        return extended;
    }

    /**
     * The gradient of {@link #select}: each element of {@code g} added at the input position it was copied from;
     * recorded in a backward pass that records its graph.
     */
    private static Tensor scattered(Tensor g, Shape in, int outer, int inner, Tensor index) {
        Tensor canvas = g.emptyLike(Shape.of(outer, inner), g.dtype());
        Backend backend = g.backend();
        backend.fill(canvas, 0);
        Tensor copies = g.reshape(outer, (int) index.size());
        if (Node.createsGraph()) {
            return canvas.indexAdd(1, index, copies).reshape(in.dims());
        }
        // Added in place: the canvas is this op's own, and Tensor.indexAdd would copy it first.
        backend.indexAdd(canvas, 1, index, copies);
        return canvas.reshape(in.dims());
    }
}
