package dev.kiln.engine;

import java.util.Arrays;

/**
 * Max unpooling ({@link F#maxUnpool2d}) composed of the backend's scatter-add and gather: each channel's values are
 * added into a zero plane at their indices, its gradient gathered back from there.
 *
 * <p>PyTorch writes each value into its place, so where indices repeat one value stands, on its CPU the last; an add
 * would sum them instead. Repeats come from a max pooling whose windows overlap, which a maximum shared by
 * neighbouring windows names twice; so the values whose index a later neighbour (in row-major order) within a
 * window's overlap repeats are zeroed before the add, one comparison of shifted indices per neighbour. A pooling with
 * a stride no smaller than its kernel has no such neighbours and costs nothing more than the scatter.
 */
final class UnpoolOps {
    private static final String OP = "maxUnpool2d";

    private UnpoolOps() {
    }

    static Tensor maxUnpool2d(Tensor input, Tensor indices, int[] kernel, int[] stride, int[] padding,
                              int[] outputSize) {
        Checks.open(OP, input, indices);
        Checks.floating(OP, input);
        Checks.sameBackend(OP, input, indices);
        if (input.rank() != 4) {
            throw new IllegalArgumentException(OP + ": input " + input.shape()
                    + ": expected a 4-D input [batch, channels, height, width]");
        }
        if (indices.dtype() != DType.I64 || !indices.shape().equals(input.shape())) {
            throw new IllegalArgumentException(OP + ": indices " + indices.shape() + " " + indices.dtype()
                    + " must be I64 of the input's shape " + input.shape());
        }
        if (kernel == null || kernel.length == 0) {
            throw new IllegalArgumentException(OP + ": a kernel size is required");
        }
        int[] k = Conv2dGeometry.pair(OP, "kernel", kernel, 1);
        int[] s = stride == null || stride.length == 0 ? k : Conv2dGeometry.pair(OP, "stride", stride, 1);
        int[] p = Conv2dGeometry.pair(OP, "padding", padding, 0);
        int[] size = outputSize(input.shape(), k, s, p, outputSize);
        long plane = (long) size[0] * size[1];
        Long outside = Checks.firstOutside(indices, plane);
        if (outside != null) {
            throw new IllegalArgumentException(OP + ": index " + outside + " is outside the output plane " + size[0]
                    + " x " + size[1] + " (indices in [0, " + plane + "))");
        }
        Shape shape = input.shape();
        return Composite.op(OP, input, () -> scattered(input, indices, k, s, size),
                (out, gradOut) -> gathered(gradOut, indices, shape));
    }

    /**
     * PyTorch's output size: {@code (in - 1) stride + kernel - 2 padding} on each axis, or {@code requested}
     * (height, width) when it lies strictly within one stride of that.
     */
    private static int[] outputSize(Shape input, int[] k, int[] s, int[] p, int[] requested) {
        long[] natural = new long[2];
        for (int a = 0; a < 2; a++) {
            natural[a] = (input.dim(2 + a) - 1L) * s[a] + k[a] - 2L * p[a];
        }
        if (requested == null) {
            if (natural[0] < 1 || natural[1] < 1 || natural[0] * natural[1] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(OP + ": input " + input + ", kernel " + Arrays.toString(k)
                        + ", stride " + Arrays.toString(s) + " and padding " + Arrays.toString(p) + " give an output of "
                        + natural[0] + " x " + natural[1]);
            }
            return new int[] {(int) natural[0], (int) natural[1]};
        }
        if (requested.length != 2) {
            throw new IllegalArgumentException(OP + ": output size must be (height, width), got "
                    + Arrays.toString(requested));
        }
        for (int a = 0; a < 2; a++) {
            if (requested[a] < 1 || requested[a] <= natural[a] - s[a] || requested[a] >= natural[a] + s[a]) {
                throw new IllegalArgumentException(OP + ": output size " + Arrays.toString(requested) + " for input "
                        + input + ": " + (a == 0 ? "height" : "width") + " must be between " + (natural[a] - s[a])
                        + " and " + (natural[a] + s[a]) + " exclusive");
            }
        }
        if ((long) requested[0] * requested[1] > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(OP + ": output size " + Arrays.toString(requested)
                    + " holds more than " + Integer.MAX_VALUE + " elements a plane");
        }
        return requested.clone();
    }

    /** [n, c, h, w] into a zero [n, c, outH, outW], each value at its index in its channel's plane. */
    private static Tensor scattered(Tensor input, Tensor indices, int[] k, int[] s, int[] size) {
        int n = input.dim(0);
        int c = input.dim(1);
        int planes = Checks.dimension(OP, "input " + input.shape() + " as planes", (long) n * c);
        int pixels = input.dim(2) * input.dim(3);
        Tensor canvas = input.emptyLike(Shape.of(planes, size[0] * size[1]), input.dtype());
        Backend backend = input.backend();
        backend.fill(canvas, 0);
        // Added in place: the canvas is this op's own, and Tensor.scatterAdd would copy it first.
        backend.scatterAdd(canvas, 1, indices.reshape(planes, pixels), kept(input, indices, k, s).reshape(planes, pixels));
        return canvas.reshape(n, c, size[0], size[1]);
    }

    /**
     * The input with zeros where a later neighbour whose window overlaps (fewer than {@code ceil(kernel / stride)}
     * rows and columns away, after it in row-major order) names the same index, so that the scatter keeps the last.
     */
    private static Tensor kept(Tensor input, Tensor indices, int[] k, int[] s) {
        int reachH = Math.min((k[0] - 1) / s[0], input.dim(2) - 1);
        int reachW = Math.min((k[1] - 1) / s[1], input.dim(3) - 1);
        Tensor overwritten = null;
        for (int dy = 0; dy <= reachH; dy++) {
            for (int dx = dy == 0 ? 1 : -reachW; dx <= reachW; dx++) {
                Tensor repeated = repeatedBy(indices, dy, dx);
                overwritten = overwritten == null ? repeated : overwritten.maskedFill(repeated, 1);
            }
        }
        return overwritten == null ? input : input.maskedFill(overwritten, 0);
    }

    /** 1 at (y, x) where the index at (y + dy, x + dx) is the same, else 0 (also where that lies outside). */
    private static Tensor repeatedBy(Tensor indices, int dy, int dx) {
        int rows = indices.dim(2) - dy;
        int cols = indices.dim(3) - Math.abs(dx);
        Tensor here = indices.narrow(2, 0, rows).narrow(3, Math.max(0, -dx), cols);
        Tensor there = indices.narrow(2, dy, rows).narrow(3, Math.max(0, dx), cols);
        return PadOps.padded(here.eq(there), new int[] {Math.max(0, -dx), Math.max(0, dx), 0, dy}, 0);
    }

    /** The output gradient [n, c, outH, outW] read at each input element's index: [n, c, h, w]. */
    private static Tensor gathered(Tensor gradOut, Tensor indices, Shape inputShape) {
        int planes = inputShape.dim(0) * inputShape.dim(1);
        int pixels = inputShape.dim(2) * inputShape.dim(3);
        Tensor gradIn = gradOut.emptyLike(Shape.of(planes, pixels), gradOut.dtype());
        gradOut.backend().gather(gradOut.reshape(planes, gradOut.dim(2) * gradOut.dim(3)), 1,
                indices.reshape(planes, pixels), gradIn);
        return gradIn.reshape(inputShape.dims());
    }
}
