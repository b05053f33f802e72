package dev.kiln.engine;

/**
 * PyTorch's {@code cross(other, dim)} ({@code torch.linalg.cross}): the cross product of the 3-vectors along an axis,
 * {@code c_i = a_(i+1) b_(i+2) - a_(i+2) b_(i+1)} (indices mod 3), as rolls of each input by one and two places along
 * the axis, two broadcast products and a difference, run untracked so that none of them outlives the op. Recorded as
 * one op whose gradients are cross products too, {@code b x g} for a and {@code g x a} for b (summed over the axes
 * each was broadcast along), so differentiable to any order. F32 or F64 of one dtype.
 */
final class CrossOps {
    private CrossOps() {
    }

    /** a and b broadcast to one shape, of size 3 along {@code axis} (counted in that shape). */
    static Tensor cross(Tensor a, Tensor b, int axis) {
        String op = "cross";
        Checks.compatible(op, a, b);
        Checks.floating(op, a);
        Shape shape = Shape.broadcast(op, a.shape(), b.shape());
        int ax = Axes.axis(op, shape, axis);
        requireThree(op, "input", a, shape, ax);
        requireThree(op, "other", b, shape, ax);
        int fromEnd = ax - shape.rank();
        Tensor out = Composite.untracked(() -> product(a, b, fromEnd));
        out.record(op, new Tensor[] {a, b}, Node.differentiable(g -> Composite.gradients(() -> new Tensor[] {
            a.requiresGrad() ? Tensor.consume(product(b, g, fromEnd), g, t -> ElementwiseOps.unbroadcast(t, a.shape()))
                    : null,
            b.requiresGrad() ? Tensor.consume(product(g, a, fromEnd), g, t -> ElementwiseOps.unbroadcast(t, b.shape()))
                    : null})));
        return out;
    }

    /** Each input's axis lining up with axis {@code ax} of the broadcast shape must have size 3. */
    private static void requireThree(String op, String name, Tensor t, Shape shape, int ax) {
        int a = ax - (shape.rank() - t.rank());
        if (a < 0 || t.dim(a) != 3) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape() + " must have size 3 along axis " + ax
                    + " of the broadcast shape " + shape + ", got " + (a < 0 ? "no such axis" : "size " + t.dim(a)));
        }
    }

    /** a x b along the axis {@code fromEnd} places from the end (negative) of each. */
    private static Tensor product(Tensor a, Tensor b, int fromEnd) {
        int[] along = {fromEnd};
        Tensor first = a.roll(new int[] {-1}, along).mul(b.roll(new int[] {-2}, along));
        Tensor second = a.roll(new int[] {-2}, along).mul(b.roll(new int[] {-1}, along));
        return first.sub(second);
    }
}
