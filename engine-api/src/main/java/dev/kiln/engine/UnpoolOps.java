package dev.kiln.engine;

import java.util.Arrays;

/**
 * Max unpooling ({@link F#maxUnpool2d}) composed of the backend's scatter-add and gather: each channel's values are
 * added into a zero plane at their indices, its gradient gathered back from there.
 *
 * <p>PyTorch writes each value into its place, so where indices repeat one value stands, on its CPU the last; an add
 * would sum them instead. Repeats come from a max pooling whose windows overlap, which a maximum shared by
 * neighbouring windows names twice; so the values whose index a later neighbour (in row-major order) within a
 * window's overlap repeats are zeroed before the add, one comparison of the flat indices with themselves shifted per
 * neighbour. Those comparisons upload each plane's start (a long a plane), which keeps such an unpooling out of a step
 * recorded as a {@link StepGraph}; a pooling with a stride no smaller than its kernel has no such neighbours and costs
 * nothing more than the scatter.
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
        Tensor values = kept(input, indices, k, s, size[0] * size[1]);
        backend.scatterAdd(canvas, 1, indices.reshape(planes, pixels), values.reshape(planes, pixels));
        return canvas.reshape(n, c, size[0], size[1]);
    }

    /**
     * The input with zeros where a later position of its plane (in row-major order) names the same index, so that the
     * scatter keeps the last. Only the neighbours whose windows overlap can repeat a pooling's index: those fewer than
     * {@code ceil(kernel / stride)} rows and columns away, at flat offsets {@code dy * width + dx} after a position.
     */
    private static Tensor kept(Tensor input, Tensor indices, int[] k, int[] s, int planeSize) {
        int[] offsets = laterNeighbours(k, s, input.dim(2), input.dim(3));
        if (offsets.length == 0) {
            return input;
        }
        Backend backend = input.backend();
        Shape planes = Shape.of(Checks.dimension(OP, "input " + input.shape() + " as planes",
                (long) input.dim(0) * input.dim(1)), input.dim(2) * input.dim(3));
        Tensor unique = planeUnique(indices, planes, planeSize, Arrays.stream(offsets).max().getAsInt());
        Tensor overwritten = input.emptyLike(planes, DType.I64);
        backend.fill(overwritten, 0);
        Tensor same = input.emptyLike(planes, DType.I64);
        for (int d : offsets) {
            // Views of planes' shape, not runs: the backend splits the comparison by rows.
            try (Tensor here = unique.view(0, planes); Tensor there = unique.view(d, planes)) {
                backend.binary(BinaryOp.EQ, here, there, same);
                backend.where(same, same, overwritten, overwritten);
            }
        }
        return input.maskedFill(overwritten.reshape(input.shape().dims()), 0);
    }

    /** The flat offsets {@code dy * width + dx} of the later neighbours whose windows overlap a position's. */
    private static int[] laterNeighbours(int[] k, int[] s, int height, int width) {
        int reachH = Math.min((k[0] - 1) / s[0], height - 1);
        int reachW = Math.min((k[1] - 1) / s[1], width - 1);
        int[] offsets = new int[reachW + reachH * (2 * reachW + 1)];
        int i = 0;
        for (int dy = 0; dy <= reachH; dy++) {
            for (int dx = dy == 0 ? 1 : -reachW; dx <= reachW; dx++) {
                offsets[i++] = dy * width + dx;
            }
        }
        return offsets;
    }

    /**
     * [n, c, h, w] indices as [n c, h w], each plus {@code planeSize} times its plane's number, so that comparing them
     * at a flat offset never matches across planes; followed by {@code tail} elements of -1, which match no index,
     * for the comparisons that run past the last plane.
     */
    private static Tensor planeUnique(Tensor indices, Shape planes, int planeSize, int tail) {
        int count = planes.dim(0);
        long[] starts = new long[count];
        Arrays.setAll(starts, q -> (long) q * planeSize);
        Tensor unique = indices.emptyLike(Shape.of(Math.toIntExact(planes.size() + tail)), DType.I64);
        Backend backend = indices.backend();
        try (Tensor planeStarts = HostValues.longs(indices, starts, count, 1); Tensor head = unique.view(0, planes);
             Tensor after = unique.view(planes.size(), Shape.of(tail))) {
            backend.binary(BinaryOp.ADD, indices.reshape(planes.dims()), planeStarts, head);
            backend.fill(after, -1);
        }
        return unique;
    }

    /**
     * The output gradient [n, c, outH, outW] read at each input element's index: [n, c, h, w]; a recorded gather in a
     * backward pass that records its graph, so that it can be differentiated again.
     */
    private static Tensor gathered(Tensor gradOut, Tensor indices, Shape inputShape) {
        int planes = inputShape.dim(0) * inputShape.dim(1);
        int pixels = inputShape.dim(2) * inputShape.dim(3);
        if (Node.createsGraph()) {
            return gradOut.reshape(planes, gradOut.dim(2) * gradOut.dim(3))
                    .gather(1, indices.reshape(planes, pixels)).reshape(inputShape.dims());
        }
        Tensor gradIn = gradOut.emptyLike(Shape.of(planes, pixels), gradOut.dtype());
        gradOut.backend().gather(gradOut.reshape(planes, gradOut.dim(2) * gradOut.dim(3)), 1,
                indices.reshape(planes, pixels), gradIn);
        return gradIn.reshape(inputShape.dims());
    }
}
