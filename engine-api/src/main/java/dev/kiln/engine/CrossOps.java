package dev.kiln.engine;

/**
 * PyTorch's {@code cross(other, dim)} ({@code torch.linalg.cross}): the cross product of the 3-vectors along an axis,
 * {@code c_i = a_(i+1) b_(i+2) - a_(i+2) b_(i+1)} (indices mod 3), as rolls of each input by one and two places along
 * the axis, two broadcast products and a difference. Differentiable to any order; F32 or F64 of one dtype.
 */
final class CrossOps {
    private CrossOps() {
    }

    /** a and b broadcast to one shape, of size 3 along {@code axis} (counted in that shape). */
    static Tensor cross(Tensor a, Tensor b, int axis) {
        String op = "cross";
        Checks.compatible(op, a, b);
        Checks.floating(op, a);
        Shape out = Shape.broadcast(op, a.shape(), b.shape());
        int ax = Axes.axis(op, out, axis);
        int axisA = alongAxis(op, "input", a, out, ax);
        int axisB = alongAxis(op, "other", b, out, ax);
        Tensor first = a.roll(new int[] {-1}, new int[] {axisA}).mul(b.roll(new int[] {-2}, new int[] {axisB}));
        Tensor second = a.roll(new int[] {-2}, new int[] {axisA}).mul(b.roll(new int[] {-1}, new int[] {axisB}));
        return first.sub(second);
    }

    /** The axis of {@code t} that lines up with axis {@code ax} of the broadcast shape; it must have size 3. */
    private static int alongAxis(String op, String name, Tensor t, Shape out, int ax) {
        int a = ax - (out.rank() - t.rank());
        if (a < 0 || t.dim(a) != 3) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape() + " must have size 3 along axis " + ax
                    + " of the broadcast shape " + out + ", got " + (a < 0 ? "no such axis" : "size " + t.dim(a)));
        }
        return a;
    }
}
