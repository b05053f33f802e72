package dev.kiln.engine;

/**
 * Narrow's backward rule: the gradient of a view of elements [start, start + length) along {@code axis} of a tensor
 * of shape {@code source} is that tensor's gradient in the slice and zeros elsewhere. An ordinary backward pass
 * writes it straight into that slice of the gradient it gathers for the tensor ({@link PendingGradients#addSlice}),
 * so that the n pieces of a split cost n slice copies rather than n zero-filled gradients of the whole tensor and
 * their sum; a pass that records its graph runs {@link #backward}, which makes and records the padded gradient.
 */
record SliceRule(Shape source, int axis, int start) implements Node.DifferentiableRule {
    @Override
    public Tensor[] backward(Tensor gradOutput) {
        return new Tensor[] {ShapeOps.padInto(gradOutput, source, axis, start)};
    }
}
