package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * What {@link FractionalMaxPool2d} and {@link FractionalMaxPool3d} share: the kernel, the output size (or the ratio
 * that gives it from the input's), the checks, and the pooling itself. Each channel of each example draws its own
 * windows from its samples (see {@link FractionalWindows}); a gather of the input at the table of the windows'
 * positions lays every window's values side by side, and each output is the first maximum of its window in row-major
 * order (PyTorch's strict {@code >}), or its last NaN, taken from the gathered values by a gather at that tap. Both gathers record
 * their gradients, so the input's gradient goes to each window's maximum (summed where windows share it) to any order,
 * on every backend.
 */
abstract class FractionalMaxPool extends Module implements TwoInputForward {
    private static final String[] PLANE_AXES = {"height", "width"};
    private static final String[] VOLUME_AXES = {"depth", "height", "width"};

    private final String layer;
    private final int[] sampleOrder;
    private final int[] kernel;
    private final int[] outputSize;
    private final double[] outputRatio;

    /**
     * @param sampleOrder for each spatial axis, which of a plane's samples moves its windows (PyTorch's order)
     * @param outputSize the output's spatial size, or null when {@code outputRatio} gives it
     * @param outputRatio each spatial axis's output size as a fraction of the input's, or null
     * @throws IllegalArgumentException naming the layer for a kernel below 1, an output size below 1, a ratio outside
     *     (0, 1), sizes of the wrong count, or both or neither of output size and ratio
     */
    FractionalMaxPool(int[] sampleOrder, int[] kernel, int[] outputSize, double[] outputRatio) {
        this.layer = getClass().getSimpleName();
        this.sampleOrder = sampleOrder;
        this.kernel = checkSizes("kernel", kernel, 1);
        if ((outputSize == null) == (outputRatio == null)) {
            throw new IllegalArgumentException(layer + ": needs exactly one of output size and output ratio");
        }
        this.outputSize = outputSize == null ? null : checkSizes("output size", outputSize, 1);
        this.outputRatio = outputRatio == null ? null : checkRatio(outputRatio);
    }

    /** The spatial axes' names, as the errors call them: two for planes, three for volumes. */
    private String[] axisNames() {
        return sampleOrder.length == 2 ? PLANE_AXES : VOLUME_AXES;
    }

    private int[] checkSizes(String what, int[] sizes, int least) {
        checkCount(what, sizes.length);
        if (Arrays.stream(sizes).anyMatch(s -> s < least)) {
            throw new IllegalArgumentException(layer + ": " + what + " must be at least " + least + ", got "
                    + Arrays.toString(sizes));
        }
        return sizes.clone();
    }

    private double[] checkRatio(double[] ratio) {
        checkCount("output ratio", ratio.length);
        if (Arrays.stream(ratio).anyMatch(r -> !(r > 0 && r < 1))) {
            throw new IllegalArgumentException(layer + ": output ratio must be between 0 and 1 (exclusive), got "
                    + Arrays.toString(ratio));
        }
        return ratio.clone();
    }

    private void checkCount(String what, int count) {
        if (count != axisNames().length) {
            throw new IllegalArgumentException(layer + ": " + what + " needs " + axisNames().length
                    + " sizes (" + String.join(", ", axisNames()) + "), got " + count);
        }
    }

    /** The window's size along each spatial axis. */
    public int[] kernel() {
        return kernel.clone();
    }

    /**
     * The pooled input, windows drawn from the engine's seeded stream (PyTorch's {@code torch.rand(N, C, axes)}).
     *
     * @throws IllegalArgumentException as {@link #forwardWithIndices(Tensor, Tensor)}
     */
    @Override
    public Tensor forward(Tensor x) {
        return outputOnly(forwardWithIndices(x));
    }

    /**
     * The pooled input, windows drawn from {@code samples} (PyTorch's {@code _random_samples}).
     *
     * @throws IllegalArgumentException as {@link #forwardWithIndices(Tensor, Tensor)}
     */
    @Override
    public Tensor forward(Tensor x, Tensor samples) {
        return outputOnly(forwardWithIndices(x, samples));
    }

    /**
     * As {@link #forward(Tensor)}, with where each maximum came from, as PyTorch's {@code return_indices=True}.
     *
     * @throws IllegalArgumentException as {@link #forwardWithIndices(Tensor, Tensor)}
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x) {
        Tensor batch = batched(x);
        try (Tensor samples = x.uniformLike(0, 1, Shape.of(batch.dim(0), batch.dim(1), kernel.length))) {
            return forwardWithIndices(x, samples);
        }
    }

    /**
     * The output and where each maximum came from: indices (I64, the output's shape) hold the maximum's flat position
     * in its channel's input plane or volume (row-major), the first maximum in row-major window order where several
     * tie, as PyTorch's.
     *
     * @param samples [batch, channels, axes] (batch 1 for an unbatched input), values in [0, 1): each channel's
     *     samples place its windows, in PyTorch's order of the axes (read in the input's precision)
     * @throws IllegalArgumentException naming this layer for an input of the wrong rank or not floating, a kernel too
     *     large for the output size and the input, an output size of 0 from the ratio, or samples of the wrong shape,
     *     dtype or range
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x, Tensor samples) {
        Tensor batch = batched(x);
        int[] in = Arrays.copyOfRange(batch.shape().dims(), 2, batch.rank());
        int[] out = outputSize(in);
        checkWindowTable(batch.dim(0), batch.dim(1), out);
        int[][][] starts = windowStarts(samples, batch, in, out);
        F.MaxPoolOutput pooled;
        if (Autograd.isEnabled()) {
            pooled = pool(batch, in, out, starts);
        } else {
            // Without a graph nothing reads the gathered windows or the position table later: free them here.
            try (Scope scope = Scope.open()) {
                pooled = pool(batch, in, out, starts);
                scope.keep(pooled.output());
                scope.keep(pooled.indices());
            }
        }
        return batch == x ? pooled
                : new F.MaxPoolOutput(pooled.output().squeeze(0), pooled.indices().squeeze(0));
    }

    private Tensor batched(Tensor x) {
        int axes = kernel.length;
        if (x.rank() != axes + 1 && x.rank() != axes + 2) {
            String spatial = String.join(", ", axisNames());
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, channels, " + spatial
                    + "] or unbatched [channels, " + spatial + "]");
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(describe() + ": input must be F32 or F64, got " + x.dtype());
        }
        return x.rank() == axes + 1 ? x.unsqueeze(0) : x;
    }

    /** The output's spatial size for an input of spatial size {@code in}, checked against the kernel. */
    private int[] outputSize(int[] in) {
        int[] out = new int[in.length];
        for (int a = 0; a < in.length; a++) {
            String axis = axisNames()[a];
            out[a] = outputSize != null ? outputSize[a] : (int) (in[a] * outputRatio[a]);
            if (out[a] < 1) {
                throw new IllegalArgumentException(describe() + ": output " + axis + " " + out[a] + " from input " + axis
                        + " " + in[a] + " must be at least 1");
            }
            if (out[a] + kernel[a] - 1 > in[a]) {
                throw new IllegalArgumentException(describe() + ": kernel " + axis + " " + kernel[a] + " too large for output "
                        + axis + " " + out[a] + " from input " + axis + " " + in[a]
                        + " (output + kernel - 1 must not exceed the input)");
            }
        }
        return out;
    }

    /**
     * Refuses inputs whose table of window positions (one int per kernel element of each output of each plane) no
     * Java array could hold: counted in long, as an int count would wrap past 2^31 silently.
     */
    private void checkWindowTable(int batch, int channels, int[] out) {
        // Capped just past the limit at each step, so that the count itself cannot wrap: each factor is below 2^31.
        long cap = Integer.MAX_VALUE + 1L;
        long entries = 1;
        int[] factors = IntStream.concat(IntStream.of(batch, channels), IntStream.concat(IntStream.of(out),
                IntStream.of(kernel))).toArray();
        for (int factor : factors) {
            entries = Math.min(entries * factor, cap);
        }
        if (entries > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(describe() + ": the window table of " + batch + " x " + channels
                    + " planes x " + Arrays.toString(out) + " outputs x " + Arrays.toString(kernel)
                    + " kernel elements needs more than " + Integer.MAX_VALUE
                    + " positions, the most one array holds; pool fewer planes or smaller outputs");
        }
    }

    /** {@code starts[p][a]}: plane p's window starts along spatial axis a, from its samples. */
    private int[][][] windowStarts(Tensor samples, Tensor batch, int[] in, int[] out) {
        int axes = kernel.length;
        Shape expected = Shape.of(batch.dim(0), batch.dim(1), axes);
        if (!samples.shape().equals(expected) || !samples.dtype().isFloating()) {
            throw new IllegalArgumentException(describe() + ": samples must be floating " + expected + ", got "
                    + samples.dtype() + " " + samples.shape());
        }
        double[] u = samples.toDoubleArray();
        for (int i = 0; i < u.length; i++) {
            if (!(u[i] >= 0 && u[i] < 1)) {
                throw new IllegalArgumentException(describe() + ": samples must lie in [0, 1), got " + u[i] + " at " + i);
            }
        }
        boolean single = batch.dtype() == DType.F32;
        int[][][] starts = new int[u.length / axes][axes][];
        for (int p = 0; p < starts.length; p++) {
            for (int a = 0; a < axes; a++) {
                double sample = u[p * axes + sampleOrder[a]];
                starts[p][a] = single ? FractionalWindows.startsInFloat((float) sample, in[a], out[a], kernel[a])
                        : FractionalWindows.starts(sample, in[a], out[a], kernel[a]);
            }
        }
        return starts;
    }

    private F.MaxPoolOutput pool(Tensor batch, int[] in, int[] out, int[][][] starts) {
        int n = batch.dim(0);
        int c = batch.dim(1);
        int outputs = IntStream.of(out).reduce(1, Math::multiplyExact);
        int taps = IntStream.of(kernel).reduce(1, Math::multiplyExact);
        int plane = IntStream.of(in).reduce(1, Math::multiplyExact);
        Tensor positions = Tensor.fromArray(FractionalWindows.positions(starts, in, out, kernel), n, c, outputs, taps)
                .to(batch.backend());
        Tensor windows = batch.reshape(n, c, plane).gather(2, positions.reshape(n, c, outputs * taps))
                .reshape(n, c, outputs, taps);
        Tensor choice;
        try (Autograd.Guard g = Autograd.noGrad()) {
            choice = lastNanOrFirstMaximum(windows, taps);
        }
        int[] dims = IntStream.concat(IntStream.of(n, c), IntStream.of(out)).toArray();
        Tensor output = windows.gather(3, choice).reshape(dims);
        Tensor indices;
        try (Tensor chosen = positions.gather(3, choice)) {
            indices = chosen.to(DType.I64).reshape(dims);
        }
        return new F.MaxPoolOutput(output, indices);
    }

    /**
     * Each window's tap [n, c, outputs, 1]: its first maximum (argmax), or where it holds NaN its last NaN, as
     * PyTorch's kernels take a NaN wherever it comes ({@code val > max || isnan(val)}); the taps in row-major order.
     */
    private static Tensor lastNanOrFirstMaximum(Tensor windows, int taps) {
        try (Scope scope = Scope.open()) {
            Tensor nan = windows.isnan();
            // Tap positions are small integers, exact in F64, where I64 has no arithmetic.
            Tensor lastNan = nan.flip(3).argmax(3, true).to(DType.F64).neg().add(taps - 1);
            Tensor choice = Tensor.where(nan.any(3, true), lastNan, windows.argmax(3, true).to(DType.F64));
            return scope.keep(choice.to(DType.I64));
        }
    }

    private static Tensor outputOnly(F.MaxPoolOutput pooled) {
        pooled.indices().close();
        return pooled.output();
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code FractionalMaxPool2d(kernel_size=(3, 3),
     * output_size=(9, 9))} or {@code output_ratio=(0.5, 0.5)}; {@link #toString()} prints PyTorch's repr, which shows
     * no settings.
     */
    @Override
    public String describe() {
        String size = outputSize != null ? "output_size=" + PythonRepr.tuple(outputSize)
                : "output_ratio=(" + String.join(", ", Arrays.stream(outputRatio).mapToObj(PythonRepr::number).toList())
                        + (outputRatio.length == 1 ? ",)" : ")");
        return layer + "(kernel_size=" + PythonRepr.tuple(kernel) + ", " + size + ")";
    }
}
