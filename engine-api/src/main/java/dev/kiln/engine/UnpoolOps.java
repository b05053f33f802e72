package dev.kiln.engine;

import java.util.Arrays;

/**
 * Max unpooling ({@link F#maxUnpool2d}, {@link F#maxUnpool3d}) composed of the backend's scatter-add and gather: each
 * channel's values are added into a zero plane (or volume) at their indices, its gradient gathered back from there.
 *
 * <p>PyTorch writes each value into its place, so where indices repeat one value stands, on its CPU the last; an add
 * would sum them instead. Repeats come from a max pooling whose windows overlap, which a maximum shared by
 * neighbouring windows names twice; so the values whose index a later neighbour (in row-major order) within a
 * window's overlap repeats are zeroed before the add, one comparison of the flat indices with themselves shifted per
 * neighbour. A window is taken as wide as the kernel, or as the output size leaves room for, which a dilated pooling's
 * wider windows fill when it rounded down. Those comparisons upload each plane's start (a long a plane), which keeps such an unpooling out of a step
 * recorded as a {@link StepGraph}; a pooling with a stride no smaller than its kernel has no such neighbours and costs
 * nothing more than the scatter.
 */
final class UnpoolOps {
    private static final UnpoolOps PLANES = new UnpoolOps("maxUnpool2d", new String[] {"height", "width"}, "plane");
    private static final UnpoolOps VOLUMES = new UnpoolOps("maxUnpool3d", Pool3dGeometry.AXES, "volume");

    private final String op;
    /** The spatial axes' names, outermost first. */
    private final String[] axes;
    /** What one channel's output is called in errors. */
    private final String region;

    private UnpoolOps(String op, String[] axes, String region) {
        this.op = op;
        this.axes = axes;
        this.region = region;
    }

    static Tensor maxUnpool2d(Tensor input, Tensor indices, int[] kernel, int[] stride, int[] padding,
                              int[] outputSize) {
        return PLANES.unpool(input, indices, kernel, stride, padding, outputSize);
    }

    static Tensor maxUnpool3d(Tensor input, Tensor indices, int[] kernel, int[] stride, int[] padding,
                              int[] outputSize) {
        return VOLUMES.unpool(input, indices, kernel, stride, padding, outputSize);
    }

    private Tensor unpool(Tensor input, Tensor indices, int[] kernel, int[] stride, int[] padding, int[] outputSize) {
        Checks.open(op, input, indices);
        Checks.floating(op, input);
        Checks.sameBackend(op, input, indices);
        if (input.rank() != axes.length + 2) {
            throw new IllegalArgumentException(op + ": input " + input.shape() + ": expected a " + (axes.length + 2)
                    + "-D input [batch, channels, " + String.join(", ", axes) + "]");
        }
        if (indices.dtype() != DType.I64 || !indices.shape().equals(input.shape())) {
            throw new IllegalArgumentException(op + ": indices " + indices.shape() + " " + indices.dtype()
                    + " must be I64 of the input's shape " + input.shape());
        }
        if (kernel == null || kernel.length == 0) {
            throw new IllegalArgumentException(op + ": a kernel size is required");
        }
        int[] k = perAxis("kernel", kernel, 1);
        int[] s = stride == null || stride.length == 0 ? k : perAxis("stride", stride, 1);
        int[] p = perAxis("padding", padding, 0);
        int[] size = outputSize(input.shape(), k, s, p, outputSize);
        long region = elements(size);
        Long outside = Checks.firstOutside(indices, region);
        if (outside != null) {
            throw new IllegalArgumentException(op + ": index " + outside + " is outside the output " + this.region + " "
                    + dims(size) + " (indices in [0, " + region + "))");
        }
        Shape shape = input.shape();
        int[] windows = widestWindows(input.shape(), k, s, p, size);
        return Composite.op(op, input, () -> scattered(input, indices, windows, s, size),
                (out, gradOut) -> gathered(gradOut, indices, shape));
    }

    /** One value for every axis or one per axis, each at least {@code min}; null: {@code min}. */
    private int[] perAxis(String what, int[] values, int min) {
        return axes.length == 2 ? Conv2dGeometry.pair(op, what, values, min)
                : VolumeGeometry.triple(op, what, values, min);
    }

    /**
     * PyTorch's output size: {@code (in - 1) stride + kernel - 2 padding} on each axis, or {@code requested}
     * (one size per axis) when it lies strictly within one stride of that.
     */
    private int[] outputSize(Shape input, int[] k, int[] s, int[] p, int[] requested) {
        int n = axes.length;
        long[] natural = new long[n];
        for (int a = 0; a < n; a++) {
            natural[a] = (input.dim(2 + a) - 1L) * s[a] + k[a] - 2L * p[a];
        }
        if (requested == null) {
            if (Arrays.stream(natural).anyMatch(v -> v < 1) || elements(natural) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": input " + input + ", kernel " + Arrays.toString(k)
                        + ", stride " + Arrays.toString(s) + " and padding " + Arrays.toString(p)
                        + " give an output of " + dims(natural));
            }
            return Arrays.stream(natural).mapToInt(Math::toIntExact).toArray();
        }
        if (requested.length != n) {
            throw new IllegalArgumentException(op + ": output size must be (" + String.join(", ", axes) + "), got "
                    + Arrays.toString(requested));
        }
        for (int a = 0; a < n; a++) {
            if (requested[a] < 1 || requested[a] <= natural[a] - s[a] || requested[a] >= natural[a] + s[a]) {
                throw new IllegalArgumentException(op + ": output size " + Arrays.toString(requested) + " for input "
                        + input + ": " + axes[a] + " must be between " + (natural[a] - s[a]) + " and "
                        + (natural[a] + s[a]) + " exclusive");
            }
        }
        if (elements(Arrays.stream(requested).asLongStream().toArray()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": output size " + Arrays.toString(requested)
                    + " holds more than " + Integer.MAX_VALUE + " elements a " + region);
        }
        return requested.clone();
    }

    private static long elements(int[] size) {
        return elements(Arrays.stream(size).asLongStream().toArray());
    }

    private static long elements(long[] size) {
        long product = 1;
        for (long v : size) {
            product *= v;
        }
        return product;
    }

    private static String dims(int[] size) {
        return dims(Arrays.stream(size).asLongStream().toArray());
    }

    private static String dims(long[] size) {
        StringBuilder text = new StringBuilder().append(size[0]);
        for (int a = 1; a < size.length; a++) {
            text.append(" x ").append(size[a]);
        }
        return text.toString();
    }

    /**
     * The widest window along each axis that a pooling of an input of {@code size} to this one can have had: the
     * kernel, or where the size leaves more room, the span {@code size + 2 padding - (in - 1) stride} that a dilated
     * pooling rounding down fills it with. PyTorch unpools a dilated pooling's indices to the pooling's input size,
     * given as the output size, and its wider windows repeat indices farther apart than the kernel's.
     */
    private int[] widestWindows(Shape input, int[] k, int[] s, int[] p, int[] size) {
        int[] windows = new int[axes.length];
        for (int a = 0; a < axes.length; a++) {
            long room = size[a] + 2L * p[a] - (input.dim(2 + a) - 1L) * s[a];
            windows[a] = (int) Math.max(k[a], room);
        }
        return windows;
    }

    /**
     * [n, c, ...] into a zero [n, c, ...size], each value at its index in its channel's plane (or volume); of repeated
     * indices of windows as wide as {@code windows}, the last.
     */
    private Tensor scattered(Tensor input, Tensor indices, int[] windows, int[] s, int[] size) {
        int planes = planes(input);
        int pixels = Math.toIntExact(input.size() / planes);
        int region = Math.toIntExact(elements(size));
        Tensor canvas = input.emptyLike(Shape.of(planes, region), input.dtype());
        Backend backend = input.backend();
        backend.fill(canvas, 0);
        // Added in place: the canvas is this op's own, and Tensor.scatterAdd would copy it first.
        Tensor values = kept(input, indices, windows, s, region);
        backend.scatterAdd(canvas, 1, indices.reshape(planes, pixels), values.reshape(planes, pixels));
        int[] dims = new int[size.length + 2];
        dims[0] = input.dim(0);
        dims[1] = input.dim(1);
        System.arraycopy(size, 0, dims, 2, size.length);
        return canvas.reshape(dims);
    }

    private int planes(Tensor input) {
        return Checks.dimension(op, "input " + input.shape() + " as planes", (long) input.dim(0) * input.dim(1));
    }

    /**
     * The input with zeros where a later position of its plane (in row-major order) names the same index, so that the
     * scatter keeps the last. Only the neighbours whose windows overlap can repeat a pooling's index: those fewer than
     * {@code ceil(window / stride)} positions away along each axis, at flat offsets after a position.
     */
    private Tensor kept(Tensor input, Tensor indices, int[] windows, int[] s, int regionSize) {
        int[] offsets = laterNeighbours(windows, s, input.shape());
        if (offsets.length == 0) {
            return input;
        }
        Backend backend = input.backend();
        Shape planes = Shape.of(planes(input), Math.toIntExact(input.size() / planes(input)));
        Tensor unique = planeUnique(indices, planes, regionSize, Arrays.stream(offsets).max().getAsInt());
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

    /**
     * The flat offsets of the later neighbours whose windows overlap a position's: every step (one per axis, each
     * within its reach {@code (window - 1) / stride}) whose first non-zero component is positive.
     */
    private int[] laterNeighbours(int[] windows, int[] s, Shape input) {
        int n = axes.length;
        int[] reach = new int[n];
        int[] strides = new int[n];
        int count = 1;
        for (int a = n - 1; a >= 0; a--) {
            reach[a] = Math.min((windows[a] - 1) / s[a], input.dim(2 + a) - 1);
            strides[a] = a == n - 1 ? 1 : strides[a + 1] * input.dim(3 + a);
            count *= 2 * reach[a] + 1;
        }
        int[] offsets = new int[(count - 1) / 2];
        int i = 0;
        int[] step = new int[n];
        for (int q = 0; q < count; q++) {
            int rest = q;
            for (int a = n - 1; a >= 0; a--) {
                step[a] = rest % (2 * reach[a] + 1) - reach[a];
                rest /= 2 * reach[a] + 1;
            }
            if (later(step)) {
                int offset = 0;
                for (int a = 0; a < n; a++) {
                    offset += step[a] * strides[a];
                }
                offsets[i++] = offset;
            }
        }
        return offsets;
    }

    /** Whether a step's first non-zero component is positive: it leads to a later position in row-major order. */
    private static boolean later(int[] step) {
        for (int v : step) {
            if (v != 0) {
                return v > 0;
            }
        }
        return false;
    }

    /**
     * [n, c, ...] indices as [n c, ...], each plus {@code regionSize} times its plane's number, so that comparing them
     * at a flat offset never matches across planes; followed by {@code tail} elements of -1, which match no index,
     * for the comparisons that run past the last plane.
     */
    private static Tensor planeUnique(Tensor indices, Shape planes, int regionSize, int tail) {
        int count = planes.dim(0);
        long[] starts = new long[count];
        Arrays.setAll(starts, q -> (long) q * regionSize);
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
     * The output gradient [n, c, ...out] read at each input element's index: [n, c, ...]; a recorded gather in a
     * backward pass that records its graph, so that it can be differentiated again.
     */
    private Tensor gathered(Tensor gradOut, Tensor indices, Shape inputShape) {
        int planes = inputShape.dim(0) * inputShape.dim(1);
        int pixels = Math.toIntExact(inputShape.size() / planes);
        int region = Math.toIntExact(gradOut.size() / planes);
        if (Node.createsGraph()) {
            return gradOut.reshape(planes, region).gather(1, indices.reshape(planes, pixels))
                    .reshape(inputShape.dims());
        }
        Tensor gradIn = gradOut.emptyLike(Shape.of(planes, pixels), gradOut.dtype());
        gradOut.backend().gather(gradOut.reshape(planes, region), 1, indices.reshape(planes, pixels), gradIn);
        return gradIn.reshape(inputShape.dims());
    }
}
